package org.enjambre.cli;

import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.CoordinatorOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code enjambre coordinator}: runs one coordinator peer until it is stopped. */
@Command(name = "coordinator", mixinStandardHelpOptions = true,
        description = "Run one coordinator peer (REST API, worker protocol, dashboard) until stopped.")
public final class CoordinatorCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", description = "HTTP port (default: ${DEFAULT-VALUE}; 0 picks a free one)", defaultValue = "8080")
    int port;

    @Option(names = "--host", description = "address to bind and announce (default: ${DEFAULT-VALUE}; 0.0.0.0 for all interfaces)",
            defaultValue = "127.0.0.1")
    String host;

    @Option(names = "--data-dir", description = "where the embedded database and API key live (default: ~/.enjambre/coordinator)")
    Path dataDir;

    @Option(names = "--api-key", description = "admin API key (default: ENJAMBRE_API_KEY, else generated into <data-dir>/api-key)")
    String apiKey;

    @Option(names = "--join", split = ",", paramLabel = "HOST:PORT", description = "seed addresses of peers to join")
    List<String> join = List.of();

    @Option(names = "--cluster-port", defaultValue = "5701", description = "port for peer-to-peer traffic (default: ${DEFAULT-VALUE})")
    int clusterPort;

    @Option(names = "--cluster-host", description = "address other peers reach this one at (default: --host, or 127.0.0.1 when that is 0.0.0.0)")
    String clusterHost;

    @Option(names = "--public-url", paramLabel = "URL",
            description = "the URL other peers and workers reach this peer's HTTP API at, e.g. https://peer1.example.org; "
                    + "only peers that set it are named to workers as file-chunk holders (default: http://<host>:<port>, used between peers only)")
    String publicUrl;

    @Option(names = "--cluster-name", defaultValue = "enjambre", description = "peers with another name stay apart (default: ${DEFAULT-VALUE})")
    String clusterName;

    @Option(names = "--cluster-secret", description = "shared secret of the peers (default: ENJAMBRE_CLUSTER_SECRET)")
    String clusterSecret;

    @Option(names = "--multicast", description = "discover peers by multicast on the LAN instead of --join")
    boolean multicast;

    @Option(names = "--db", paramLabel = "JDBC_URL", description = "shared database, e.g. jdbc:postgresql://db:5432/enjambre?user=u&password=p (default: embedded H2 in the data dir)")
    String db;

    @Option(names = "--private-dashboard", description = "require the API key for the read-only views too")
    boolean privateDashboard;

    @Option(names = "--allow-same-host", description = "let two replicas of one unit run on workers of the same host (for one-machine swarms)")
    boolean allowSameHost;

    @Option(names = "--credibility-wait", paramLabel = "SECONDS", defaultValue = "30",
            description = "how long results of a credibility job may wait for their workers' spot-checks before the unit gets one more replica (default: ${DEFAULT-VALUE})")
    long credibilityWaitSeconds;

    @Option(names = "--max-buffered-mb", defaultValue = "256", paramLabel = "MB",
            description = "request-body bytes this peer buffers at once, all requests together; past it requests get 503 with Retry-After (default: ${DEFAULT-VALUE})")
    long maxBufferedMb;

    @Option(names = "--placement-wait", defaultValue = "300", paramLabel = "SECONDS",
            description = "how long a unit may find no connected worker that placement lets take it before it fails with that reason (default: ${DEFAULT-VALUE})")
    long placementWaitSeconds;

    @Option(names = "--browser-oversize-wait", defaultValue = "120", paramLabel = "SECONDS",
            description = "how long a unit too long for any browser tab's expected visit is kept for JVM workers before a browser gets it anyway (default: ${DEFAULT-VALUE})")
    long oversizeWaitSeconds;

    @Option(names = "--data-replicas", defaultValue = "2", paramLabel = "R",
            description = "how many peers hold each chunk of uploaded files (default: ${DEFAULT-VALUE})")
    int dataReplicas;

    @Option(names = "--data-quota-mb", defaultValue = "0", paramLabel = "MB",
            description = "most MiB of file chunks this peer keeps in <data-dir>/chunks; 0: its disk's free space (default: ${DEFAULT-VALUE})")
    long dataQuotaMb;

    @Option(names = "--data-gc-grace", defaultValue = "24", paramLabel = "HOURS",
            description = "how long an uploaded file no job references is kept, from its upload or its last job's end (default: ${DEFAULT-VALUE})")
    long dataGcGraceHours;

    @Option(names = "--output-file-kb", defaultValue = "1024", paramLabel = "KB",
            description = "units' outputs larger than this are kept as uploaded files, compared by content hash (default: ${DEFAULT-VALUE})")
    long outputFileKb;

    @Option(names = "--max-output-mb", defaultValue = "4096", paramLabel = "MB",
            description = "the largest output of one unit; a larger one is its replica's error (default: ${DEFAULT-VALUE})")
    long maxOutputMb;

    private static java.time.Duration gcGrace(long hours) {
        if (hours < 1 || hours > 87_600) {
            throw new IllegalArgumentException("--data-gc-grace must be from 1 to 87600 hours (ten years), not " + hours);
        }
        return java.time.Duration.ofHours(hours);
    }

    static Path defaultDataDir() {
        return Path.of(System.getProperty("user.home"), ".enjambre", "coordinator");
    }

    CoordinatorOptions options() {
        try {
            if (placementWaitSeconds < 0 || placementWaitSeconds > 31_536_000) {
                throw new IllegalArgumentException("--placement-wait must be between 0 and 31536000 (a year), not "
                        + placementWaitSeconds);
            }
            if (oversizeWaitSeconds < 0 || oversizeWaitSeconds > 31_536_000) {
                throw new IllegalArgumentException("--browser-oversize-wait must be between 0 and 31536000 (a year), not "
                        + oversizeWaitSeconds);
            }
            String key = apiKey != null ? apiKey : System.getenv("ENJAMBRE_API_KEY");
            String secret = clusterSecret != null ? clusterSecret : System.getenv("ENJAMBRE_CLUSTER_SECRET");
            return CoordinatorOptions.builder(dataDir != null ? dataDir : defaultDataDir())
                    .host(host).port(port).publicUrl(publicUrl).apiKey(key == null || key.isBlank() ? null : key.trim())
                    .cluster(clusterName, secret).clusterHost(clusterHost).clusterPort(clusterPort).join(join).multicast(multicast).db(db)
                    .privateViews(privateDashboard).allowSameHost(allowSameHost).maxBufferedMb(maxBufferedMb)
                    .placementWaitMillis(placementWaitSeconds * 1000).oversizeWaitMillis(oversizeWaitSeconds * 1000)
                    .dataReplicas(dataReplicas).dataQuotaBytes(Math.multiplyExact(dataQuotaMb, 1L << 20))
                    .dataGcGrace(gcGrace(dataGcGraceHours))
                    .outputFiles(Math.multiplyExact(outputFileKb, 1L << 10), Math.multiplyExact(maxOutputMb, 1L << 20))
                    .credibilityWait(java.time.Duration.ofSeconds(credibilityWaitSeconds));
        } catch (ArithmeticException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--data-quota-mb, --output-file-kb or --max-output-mb is too large");
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        CoordinatorOptions o = options();
        Coordinator c = Coordinator.start(o);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            c.close();
            stopped.countDown();
        }, "enjambre-shutdown"));
        spec.commandLine().getOut().println("coordinator up at " + c.url() + "  (dashboard: " + c.url() + "/)");
        if (o.apiKey() == null) {
            spec.commandLine().getOut().println("API key in " + Coordinator.apiKeyPath(o.dataDir()).toAbsolutePath());
        }
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
