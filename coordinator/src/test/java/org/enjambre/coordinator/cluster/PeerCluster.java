package org.enjambre.coordinator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.Harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;

/**
 * Coordinator peers in their own JVMs, one per slot, sharing one PostgreSQL database. A slot keeps its
 * ports and data directory for life, so a peer stopped or killed starts again as itself. Workers find
 * peers by {@link #url(int)}.
 */
final class PeerCluster implements AutoCloseable {
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
    synchronized PeerProcess.Spec spec(int i) {
        while (specs.size() <= i) {
            int n = specs.size();
            String name = "peer" + n;
            specs.add(new PeerProcess.Spec(name, dataDir.resolve(name), logDir.resolve(name + ".log"), Harness.freePort(),
                    Harness.freePort(), cluster, "s3cret-" + cluster, Harness.KEY, db));
        }
        return specs.get(i);
    }

    /** Notes a step of a test in its output, with the time since the cluster was made. */
    void log(String what) {
        System.out.printf("[%6.1f s] %s%n", (System.nanoTime() - started) / 1e9, what);
    }

    String url(int slot) {
        return spec(slot).url();
    }

    /**
     * Starts the peers of these slots and waits until each serves, every running peer sees them all, and every
     * partition is backed up again (so that any one peer may die next). They join the peers already running;
     * with none running, the first starts alone and the others join it.
     */
    void start(int... slots) {
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
    void awaitMembers() {
        int n = running.size();
        await("every peer sees " + n + " members").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> running.stream().allMatch(p -> p.members() == n));
    }

    /** Waits until every partition has its owner and backup again (after a peer came or went). */
    void awaitSafe() {
        await("the cluster is safe (every partition backed up)").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(() -> running.stream().allMatch(PeerProcess::clusterSafe));
    }

    /** {@code kill -9} of the peers in these slots, all at once. */
    void kill(int... slots) {
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
    void stop(int slot) {
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
    JsonNode get(String path) {
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
}
