package org.enjambre.coordinator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.Harness;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * Coordinator peers in their own JVMs, one per slot, sharing one PostgreSQL database. A slot keeps its
 * ports and data directory for life, so a peer stopped or killed starts again as itself. Workers find
 * peers by {@link #url(int)}. Tests get one from {@link Fixture}, which also owns the PostgreSQL server.
 */
public final class PeerCluster implements AutoCloseable {
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dataDir;
    private final Path logDir;
    private final String db;
    private final String cluster = "ptest-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<PeerProcess.Spec> specs = new ArrayList<>();
    private final List<PeerProcess> running = new CopyOnWriteArrayList<>();
    private final long started = System.nanoTime();

    PeerCluster(Path dataDir, Path logDir, String db) {
        this.dataDir = dataDir;
        this.logDir = logDir;
        this.db = db;
    }

    /** The spec of slot {@code i}, made (with fresh free ports) on first use. */
    public synchronized PeerProcess.Spec spec(int i) {
        while (specs.size() <= i) {
            int n = specs.size();
            String name = "peer" + n;
            specs.add(new PeerProcess.Spec(name, dataDir.resolve(name), logDir.resolve(name + ".log"), Harness.freePort(),
                    Harness.freePort(), cluster, "s3cret-" + cluster, Harness.KEY, db));
        }
        return specs.get(i);
    }

    /** Notes a step of a test in its output, with the time since the cluster was made. */
    public void log(String what) {
        System.out.printf("[%6.1f s] %s%n", (System.nanoTime() - started) / 1e9, what);
    }

    public String url(int slot) {
        return spec(slot).url();
    }

    /** The data directory of slot {@code slot} (its {@code chunks} directory holds the chunks it stores). */
    public Path dataDir(int slot) {
        return spec(slot).dataDir();
    }

    /** Whether the peer of slot {@code slot} is running. */
    public boolean running(int slot) {
        return peer(slot) != null;
    }

    /**
     * Starts the peers of these slots and waits until each serves, every running peer sees them all, and every
     * partition is backed up again (so that any one peer may die next). They join the peers already running;
     * with none running, the first starts alone and the others join it.
     */
    public void start(int... slots) {
        log("starting peers " + Arrays.toString(slots));
        List<Integer> todo = new ArrayList<>(Arrays.stream(slots).boxed().toList());
        for (int s : slots) {
            if (peer(s) != null) {
                throw new IllegalStateException("peer " + s + " is already running");
            }
        }
        if (running.isEmpty()) {
            PeerProcess first = PeerProcess.launch(spec(todo.remove(0)), List.of());
            running.add(first);
            first.awaitReady(START_TIMEOUT);
        }
        List<String> seeds = running.stream().map(p -> p.spec().clusterAddress()).toList();
        List<PeerProcess> launched = new ArrayList<>();
        for (int s : todo) {
            PeerProcess p = PeerProcess.launch(spec(s), seeds);
            running.add(p);
            launched.add(p);
        }
        for (PeerProcess p : launched) {
            p.awaitReady(START_TIMEOUT);
        }
        awaitMembers();
        awaitSafe();
        log("peers " + Arrays.toString(slots) + " are up; " + running.size() + " running");
    }

    /** Waits until every running peer sees exactly the running peers as its cluster. */
    public void awaitMembers() {
        int n = running.size();
        await("every peer sees " + n + " members").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> running.stream().allMatch(p -> p.members() == n));
    }

    /** Waits until every partition has its owner and backup again (after a peer came or went). */
    public void awaitSafe() {
        await("the cluster is safe (every partition backed up)").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(() -> running.stream().allMatch(PeerProcess::clusterSafe));
    }

    /** {@code kill -9} of the peers in these slots, all at once. */
    public void kill(int... slots) {
        List<PeerProcess> victims = new ArrayList<>();
        for (int s : slots) {
            PeerProcess p = peer(s);
            if (p == null) {
                throw new IllegalStateException("peer " + s + " is not running");
            }
            victims.add(p);
        }
        victims.forEach(PeerProcess::kill);
        running.removeAll(victims);
        log("killed peers " + Arrays.toString(slots));
    }

    /** Stops a peer gracefully (SIGTERM) and waits until it exited. */
    public void stop(int slot) {
        PeerProcess p = peer(slot);
        if (p == null) {
            throw new IllegalStateException("peer " + slot + " is not running");
        }
        running.remove(p);
        p.stop();
        log("stopped peer " + slot);
    }

    /** The running peer of a slot, or {@code null}. */
    PeerProcess peer(int slot) {
        PeerProcess.Spec spec = spec(slot);
        return running.stream().filter(p -> p.spec().equals(spec)).findFirst().orElse(null);
    }

    /** A GET on the API of the first running peer that answers it. */
    public JsonNode get(String path) {
        IllegalStateException last = null;
        for (PeerProcess p : running) {
            try {
                Harness.Response r = Harness.call("GET", p.url() + path, null, null, Duration.ofSeconds(20));
                if (r.status() == 200) {
                    return r.json();
                }
                last = new IllegalStateException("GET " + path + " at " + p.url() + ": " + r.status() + " " + r.body());
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last != null ? last : new IllegalStateException("no peer is running");
    }

    /** Kills every peer still running. */
    @Override
    public void close() {
        for (PeerProcess p : running) {
            p.kill();
        }
        running.clear();
    }

    /**
     * The set-up every process-cluster test class shares, as a JUnit extension registered in a static field: one
     * throwaway PostgreSQL server per test class ({@link #database()} makes a fresh database in it), and at most one
     * {@link PeerCluster} per test ({@link #peers(Path)}), killed after the test; when a test fails, the end of each
     * peer's log (kept in {@code target/cluster-tests/<class>/<test>}) goes to the test output.
     */
    public static final class Fixture implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback,
            TestWatcher {
        private PostgresServer postgres;
        private PeerCluster peers;
        private Path logs;

        @Override
        public void beforeAll(ExtensionContext context) {
            postgres = PostgresServer.start();
        }

        @Override
        public void afterAll(ExtensionContext context) {
            if (postgres != null) {
                postgres.close();
                postgres = null;
            }
        }

        /** A JDBC URL of a fresh, empty database on the class's PostgreSQL server. */
        public String database() {
            if (postgres == null) {
                throw new IllegalStateException("PeerCluster.Fixture must be registered in a static field");
            }
            return postgres.createDatabase();
        }

        /**
         * A cluster of peer processes for the running test, on a fresh database, its peers' data directories in
         * {@code dataDir}; it is killed after the test.
         */
        public PeerCluster peers(Path dataDir) {
            if (peers != null) {
                throw new IllegalStateException("a test gets one PeerCluster");
            }
            peers = new PeerCluster(dataDir, logs, database());
            return peers;
        }

        /** Makes (or empties) the directory of the test's peer logs. */
        @Override
        public void beforeEach(ExtensionContext context) {
            logs = Path.of("target", "cluster-tests", context.getRequiredTestClass().getSimpleName(),
                    context.getRequiredTestMethod().getName());
            try {
                if (Files.exists(logs)) {
                    try (Stream<Path> old = Files.walk(logs)) {
                        old.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                    }
                }
                Files.createDirectories(logs);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void afterEach(ExtensionContext context) {
            if (peers != null) {
                peers.close();
                peers = null;
            }
        }

        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (logs == null || !Files.isDirectory(logs)) {
                return;
            }
            try (Stream<Path> files = Files.list(logs)) {
                files.sorted().forEach(f -> System.out.println(PeerProcess.tail(f, 60)));
            } catch (IOException | RuntimeException e) {
                System.out.println("no peer logs: " + e);
            }
        }
    }
}
