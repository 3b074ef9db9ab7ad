package org.enjambre.coordinator;

import org.enjambre.coordinator.cluster.ClusterOptions;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * Everything a coordinator peer is configured with. Build with {@link #builder(Path)}; the setters
 * check their values and say what is wrong.
 */
public final class CoordinatorOptions {
    private Path dataDir;
    private String host = "127.0.0.1";
    private String clusterHost;
    private String publicUrl;
    private int port = 8080;
    private String apiKey;
    private String db;
    private String clusterName = "enjambre";
    private String clusterSecret;
    private int clusterPort = 5701;
    private List<String> join = List.of();
    private boolean multicast;
    private int backupCount = 1;
    private boolean privateViews;
    private boolean allowSameHost;
    private Clock clock = Clock.systemUTC();
    private long deadlineCheckMillis = 1000;
    private long placementWaitMillis = org.enjambre.coordinator.sched.Scheduler.DEFAULT_PLACEMENT_WAIT_MILLIS;
    private long oversizeWaitMillis = org.enjambre.coordinator.sched.VisitPlanner.DEFAULT_OVERSIZE_WAIT_MILLIS;
    private java.time.Duration credibilityWait = org.enjambre.workunits.trust.TrustRules.DEFAULT_CREDIBILITY_WAIT;
    private double registrationsPerMinute = 60;
    private int registrationBurst = 200;
    private double fetchesPerMinute = 1200;
    private int fetchBurst = 100;
    private long maxBufferedBytes = 256L << 20;
    private int dataReplicas = org.enjambre.coordinator.data.DataService.DEFAULT_REPLICAS;
    private int chunkBytes = org.enjambre.coordinator.data.DataService.DEFAULT_CHUNK_BYTES;
    private long dataQuotaBytes;
    private java.time.Duration dataGcGrace = org.enjambre.coordinator.data.DataService.DEFAULT_GC_GRACE;
    private org.enjambre.coordinator.data.OutputFiles.Limits outputLimits = org.enjambre.coordinator.data.OutputFiles.Limits.defaults();

    private CoordinatorOptions(Path dataDir) {
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    }

    public static CoordinatorOptions builder(Path dataDir) {
        return new CoordinatorOptions(dataDir);
    }

    /** How many peers hold each uploaded chunk (default 2). */
    public CoordinatorOptions dataReplicas(int n) {
        if (n < 1 || n > 16) {
            throw new IllegalArgumentException("--data-replicas must be from 1 to 16");
        }
        this.dataReplicas = n;
        return this;
    }

    /** The chunk size of uploaded files, and the most bytes one chunk upload may carry (default 4 MiB). */
    public CoordinatorOptions chunkBytes(int n) {
        if (n < 1024 || n > 64 << 20) {
            throw new IllegalArgumentException("the chunk size must be from 1 KiB to 64 MiB");
        }
        this.chunkBytes = n;
        return this;
    }

    /** The most bytes of chunks this peer keeps on disk; 0 (default): only its disk's free space bounds them. */
    public CoordinatorOptions dataQuotaBytes(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("--data-quota-mb must be 0 (none) or positive");
        }
        this.dataQuotaBytes = n;
        return this;
    }

    /**
     * How long an uploaded file that no job references is kept, from its upload or from the end of the last job that
     * referenced it (default 24 h; README, *Data files*).
     */
    public CoordinatorOptions dataGcGrace(java.time.Duration grace) {
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("--data-gc-grace must not be negative");
        }
        this.dataGcGrace = grace;
        return this;
    }

    /**
     * Units' outputs larger than {@code thresholdBytes} are kept as uploaded files, none larger than {@code maxBytes}
     * (defaults 1 MiB and 4 GiB; README, *Outputs as files*).
     */
    public CoordinatorOptions outputFiles(long thresholdBytes, long maxBytes) {
        if (thresholdBytes < 0 || maxBytes < 1 || maxBytes < thresholdBytes) {
            throw new IllegalArgumentException("--output-file-kb must be from 0 to --max-output-mb");
        }
        this.outputLimits = new org.enjambre.coordinator.data.OutputFiles.Limits(thresholdBytes, maxBytes);
        return this;
    }

    public org.enjambre.coordinator.data.OutputFiles.Limits outputLimits() { return outputLimits; }
    public java.time.Duration dataGcGrace() { return dataGcGrace; }
    public int dataReplicas() { return dataReplicas; }
    public int chunkBytes() { return chunkBytes; }
    public long dataQuotaBytes() { return dataQuotaBytes; }

    public CoordinatorOptions host(String host) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        this.host = host;
        return this;
    }

    public CoordinatorOptions port(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not between 0 and 65535 (0 picks a free one)");
        }
        this.port = port;
        return this;
    }

    /**
     * The URL this peer publishes to the other peers and, in file manifests, to workers ({@code --public-url}):
     * an absolute http or https URL with a host and no query; a trailing slash is dropped. Null (the default):
     * {@code http://<host>:<port>}, which is never handed to workers (README, "Multi-host clusters").
     */
    public CoordinatorOptions publicUrl(String url) {
        this.publicUrl = url == null ? null : PublicUrl.parse(url);
        return this;
    }

    /** The address peers reach this one at (default: the HTTP host, or 127.0.0.1 when that is 0.0.0.0). */
    public CoordinatorOptions clusterHost(String host) {
        if (host != null && (host.isBlank() || host.equals("0.0.0.0"))) {
            throw new IllegalArgumentException("the cluster host must be an address other peers can reach, not '" + host + "'");
        }
        this.clusterHost = host;
        return this;
    }

    public CoordinatorOptions apiKey(String key) {
        if (key != null && key.length() < 8) {
            throw new IllegalArgumentException("the API key must be at least 8 characters");
        }
        this.apiKey = key;
        return this;
    }

    public CoordinatorOptions db(String jdbcUrl) {
        if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:") && !jdbcUrl.startsWith("jdbc:h2:")) {
            throw new IllegalArgumentException("--db must be a jdbc:postgresql: or jdbc:h2: URL");
        }
        this.db = jdbcUrl;
        return this;
    }

    public CoordinatorOptions cluster(String name, String secret) {
        if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("the cluster name must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        this.clusterName = name;
        this.clusterSecret = secret;
        return this;
    }

    public CoordinatorOptions clusterPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("cluster port " + port + " is not between 1 and 65535");
        }
        this.clusterPort = port;
        return this;
    }

    public CoordinatorOptions join(List<String> members) {
        for (String m : members) {
            if (!m.matches("[^:\\s]+:\\d{1,5}")) {
                throw new IllegalArgumentException("'" + m + "' is not HOST:PORT");
            }
        }
        this.join = List.copyOf(members);
        return this;
    }

    public CoordinatorOptions multicast(boolean on) {
        this.multicast = on;
        return this;
    }

    public CoordinatorOptions backupCount(int n) {
        if (n < 0 || n > 6) {
            throw new IllegalArgumentException("backup count " + n + " is not between 0 and 6");
        }
        this.backupCount = n;
        return this;
    }

    /** Whether the read-only views (dashboard data, job list) need the API key too. */
    public CoordinatorOptions privateViews(boolean on) {
        this.privateViews = on;
        return this;
    }

    /** Whether two replicas of one unit may go to workers on the same host (one machine running several workers). */
    public CoordinatorOptions allowSameHost(boolean on) {
        this.allowSameHost = on;
        return this;
    }

    public CoordinatorOptions clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    public CoordinatorOptions deadlineCheckMillis(long millis) {
        if (millis < 10) {
            throw new IllegalArgumentException("the deadline check interval must be at least 10 ms");
        }
        this.deadlineCheckMillis = millis;
        return this;
    }

    /** How long a unit too long for any browser's visit is kept for JVM workers before a browser gets it anyway. */
    public CoordinatorOptions oversizeWaitMillis(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("the browsers' oversize wait must not be negative, not " + millis);
        }
        this.oversizeWaitMillis = millis;
        return this;
    }

    /** How long a unit may find no eligible worker (placement) before it fails with that reason. */
    public CoordinatorOptions placementWaitMillis(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("the placement wait must not be negative, not " + millis);
        }
        this.placementWaitMillis = millis;
        return this;
    }

    /**
     * How long a credibility-based unit's results may wait for their workers' spot-checks, with nothing in
     * progress, before the unit gets one more replica (default 30 s; the job's deadline is the upper bound).
     */
    public CoordinatorOptions credibilityWait(java.time.Duration wait) {
        if (wait == null || wait.isNegative() || wait.compareTo(java.time.Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("the credibility wait (" + wait + ") must be between 0 and 1 day");
        }
        this.credibilityWait = wait;
        return this;
    }

    public CoordinatorOptions registrationLimit(double perMinute, int burst) {
        checkLimit("registration", perMinute, burst);
        this.registrationsPerMinute = perMinute;
        this.registrationBurst = burst;
        return this;
    }

    public CoordinatorOptions fetchLimit(double perMinute, int burst) {
        checkLimit("fetch", perMinute, burst);
        this.fetchesPerMinute = perMinute;
        this.fetchBurst = burst;
        return this;
    }

    /** The most bytes of request bodies this peer buffers at once (all requests together); past it, 503 with Retry-After. */
    public CoordinatorOptions maxBufferedMb(long mb) {
        if (mb < 1 || mb > 1L << 20) {
            throw new IllegalArgumentException("--max-buffered-mb must be between 1 and 1048576, not " + mb);
        }
        return maxBufferedBytes(mb << 20);
    }

    /** As {@link #maxBufferedMb}, in bytes (tests use small budgets). */
    public CoordinatorOptions maxBufferedBytes(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("the buffered-bytes budget must be positive, not " + bytes);
        }
        this.maxBufferedBytes = bytes;
        return this;
    }

    private static void checkLimit(String what, double perMinute, int burst) {
        if (!(perMinute > 0) || burst < 1 || burst > 100_000_000) {
            throw new IllegalArgumentException("a " + what + " limit needs more than 0 per minute and a burst of 1 to 100000000");
        }
    }

    public Path dataDir() { return dataDir; }
    public String host() { return host; }
    /** The URL set with {@link #publicUrl(String)}, or null. */
    public String publicUrl() { return publicUrl; }
    public int port() { return port; }
    public String apiKey() { return apiKey; }
    public String db() { return db; }
    public boolean privateViews() { return privateViews; }
    public boolean allowSameHost() { return allowSameHost; }
    public Clock clock() { return clock; }
    public long deadlineCheckMillis() { return deadlineCheckMillis; }
    public long placementWaitMillis() { return placementWaitMillis; }

    public long oversizeWaitMillis() { return oversizeWaitMillis; }
    public java.time.Duration credibilityWait() { return credibilityWait; }
    public double registrationsPerMinute() { return registrationsPerMinute; }
    public int registrationBurst() { return registrationBurst; }
    public double fetchesPerMinute() { return fetchesPerMinute; }
    public int fetchBurst() { return fetchBurst; }
    public long maxBufferedBytes() { return maxBufferedBytes; }

    public ClusterOptions clusterOptions() {
        String peerHost = clusterHost != null ? clusterHost : host.equals("0.0.0.0") ? "127.0.0.1" : host;
        return new ClusterOptions(clusterName, clusterSecret, peerHost, clusterPort, join,
                multicast, backupCount);
    }
}
