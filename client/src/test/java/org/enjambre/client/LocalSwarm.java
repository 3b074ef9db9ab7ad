package org.enjambre.client;

import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.CoordinatorOptions;
import org.enjambre.worker.Worker;
import org.enjambre.worker.WorkerOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Test support: a real coordinator peer on 127.0.0.1 (its own cluster name, data directory and ports) and real
 * {@link Worker}s in this JVM with quick timings; the client under test talks to it over HTTP like any other.
 */
final class LocalSwarm implements AutoCloseable {
    static final String KEY = "client-test-key-0123456789";
    /** How long anything in these tests may take to happen; generous, since the build machine is shared. */
    static final Duration PATIENCE = Duration.ofSeconds(120);

    private final Path dir;
    private final String cluster = "client-" + UUID.randomUUID().toString().substring(0, 8);
    private final int clusterPort = freePort();
    /** The running peer; replaced by {@link #restart()}. */
    volatile Coordinator coordinator;
    private final List<Worker> workers = new ArrayList<>();

    private LocalSwarm(Path dir) {
        this.dir = dir;
        this.coordinator = startOn(0);
    }

    private Coordinator startOn(int port) {
        return Coordinator.start(CoordinatorOptions.builder(dir.resolve("coordinator")).host("127.0.0.1").port(port)
                .apiKey(KEY).cluster(cluster, null).clusterPort(clusterPort).allowSameHost(true).deadlineCheckMillis(50));
    }

    /** Stops the coordinator gracefully; its port (returned) refuses connections until {@link #startAgain}. */
    int stop() {
        int port = coordinator.port();
        coordinator.close();
        return port;
    }

    /** Starts the coordinator again from its data directory, on {@code port} (as before {@link #stop()}). */
    void startAgain(int port) {
        coordinator = startOn(port);
    }

    /** A coordinator with no workers yet. */
    static LocalSwarm start(Path dir) {
        return new LocalSwarm(dir);
    }

    /** Starts {@code n} more workers of one core each. */
    LocalSwarm withWorkers(int n) {
        for (int i = 0; i < n; i++) {
            String name = "client-test-w" + workers.size();
            Worker w = new Worker(WorkerOptions.builder(url()).cores(1).dataDir(dir.resolve(name)).name(name)
                    .fetchWait(Duration.ofMillis(500)).backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                    .checkpointInterval(Duration.ofMillis(50)).build());
            workers.add(w);
            try {
                w.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return this;
    }

    String url() {
        return coordinator.url();
    }

    /** A client of this coordinator with the admin key. */
    EnjambreClient client() {
        return client(KEY);
    }

    /** A client of this coordinator with {@code key} (null for none). */
    EnjambreClient client(String key) {
        return EnjambreClient.builder().url(url()).apiKey(key).timeout(Duration.ofSeconds(30)).build();
    }

    /** A port on 127.0.0.1 where nothing listens now, below the kernel's ephemeral range ({@link org.enjambre.coordinator.Harness#freePort()}). */
    static int freePort() {
        return org.enjambre.coordinator.Harness.freePort();
    }

    /** Stops the workers as {@code kill -9} would, then the coordinator. */
    @Override
    public void close() {
        workers.forEach(Worker::abort);
        coordinator.close();
    }
}
