package org.enjambre.coordinator.data;

import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.CoordinatorOptions;
import org.enjambre.coordinator.Harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static org.awaitility.Awaitility.await;

/**
 * Test support: coordinator peers in this JVM (Hazelcast on loopback, one shared H2 file), small chunks, R = 2,
 * each with its data directory {@code peer<i>} under one directory. Closed peers and crashed ones are both fine
 * at {@link #close()}.
 */
final class LocalPeers implements AutoCloseable {
    static final int CHUNK = 4096;

    private final Path dir;
    private final UnaryOperator<CoordinatorOptions> tweak;
    private final String cluster = "dtest-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<Coordinator> started = new ArrayList<>();
    private final boolean publicUrls;
    private int firstPort;

    /** Peers under {@code dir}, each with options {@code tweak} changes (a clock, a grace period). */
    LocalPeers(Path dir, UnaryOperator<CoordinatorOptions> tweak) {
        this(dir, tweak, false);
    }

    /** The same; with {@code publicUrls} each peer also sets {@code --public-url} to its loopback URL. */
    LocalPeers(Path dir, UnaryOperator<CoordinatorOptions> tweak, boolean publicUrls) {
        this.dir = dir;
        this.tweak = tweak;
        this.publicUrls = publicUrls;
    }

    /** Starts peer {@code i}; the first one started is the others' seed. */
    Coordinator start(int i) {
        int port = Harness.freePort();
        CoordinatorOptions o = Harness.options(dir.resolve("peer" + i)).cluster(cluster, "s3cret").clusterPort(port)
                .chunkBytes(CHUNK).dataReplicas(2)
                .db("jdbc:h2:file:" + dir.resolve("shared").toAbsolutePath() + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        if (publicUrls) {
            int http = Harness.freePort();
            o.port(http).publicUrl("http://127.0.0.1:" + http + "/");
        }
        if (firstPort == 0) {
            firstPort = port;
        } else {
            o.join(List.of("127.0.0.1:" + firstPort));
        }
        Coordinator c = Coordinator.start(tweak.apply(o));
        started.add(c);
        return c;
    }

    /** Starts peers 0, 1 and 2 and waits until each sees all three. */
    List<Coordinator> start3() {
        List<Coordinator> out = List.of(start(0), start(1), start(2));
        await().atMost(Duration.ofSeconds(30)).until(() -> out.stream()
                .allMatch(p -> p.node().hazelcast().getCluster().getMembers().size() == out.size()));
        return out;
    }

    /** The peers started, in order. */
    List<Coordinator> all() {
        return started;
    }

    /** The started peers that store chunk {@code sha}. */
    List<Coordinator> holding(String sha) {
        return started.stream().filter(p -> p.data().local().has(sha)).toList();
    }

    /** The data layer's view of a peer (its member id and URL). */
    static DataPeers.Peer asPeer(Coordinator c) {
        return new DataPeers.Peer(c.node().hazelcast().getCluster().getLocalMember().getUuid().toString(), c.url());
    }

    @Override
    public void close() {
        for (Coordinator c : started) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // already crashed
            }
        }
    }
}
