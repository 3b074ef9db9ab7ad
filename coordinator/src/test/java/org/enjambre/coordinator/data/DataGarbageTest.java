package org.enjambre.coordinator.data;

import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.Harness;
import org.enjambre.coordinator.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Data garbage on three real peers in one JVM (R = 2) with a clock the test moves: surplus copies (a peer's copies
 * of chunks it does not hold by placement) and files no job references (README, *Data files*).
 */
class DataGarbageTest {
    static final int CHUNK = LocalPeers.CHUNK;

    @TempDir
    Path dir;
    final TestClock clock = new TestClock();
    LocalPeers cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Three peers on the test clock, once the passes their joining asked for have run. */
    private List<Coordinator> start() {
        cluster = new LocalPeers(dir, o -> o.clock(clock).dataGcGrace(Duration.ofHours(24)));
        List<Coordinator> peers = cluster.start3();
        await("the passes after the peers joined").atMost(Duration.ofSeconds(30))
                .until(() -> peers.stream().allMatch(p -> p.dataTimer().settled()));
        return peers;
    }

    private static byte[] random(int bytes, int seed) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static boolean held(Coordinator holder, String sha) {
        return holder.data().local().has(sha);
    }

    @Test
    void surplusCopies_deletedOnlyInAStableMembership_andOnlyWhenEveryHolderConfirmsItsCopy() throws IOException {
        List<Coordinator> peers = start();
        Coordinator a = peers.get(0);
        byte[] bytes = random(30 * CHUNK, 21);
        Uploads u = Uploads.of(bytes, CHUNK);
        u.uploadAll(a.url(), "surplus.bin");
        List<DataPeers.Peer> members = peers.stream().map(LocalPeers::asPeer).toList();
        List<String> surplus = new ArrayList<>();
        for (String sha : u.hashes()) {
            assertThat(held(a, sha)).as("the receiving peer keeps a copy of " + sha).isTrue();
            if (!Placement.holders(sha, members, 2).contains(LocalPeers.asPeer(a))) {
                surplus.add(sha);
            }
        }
        assertThat(surplus).as("chunks the receiving peer does not hold by placement ((2/3)^30 likely)").hasSizeGreaterThan(1);

        assertThat(a.data().dropSurplus()).as("right after the peers joined").isZero();
        clock.advance(DataService.STABLE.plusSeconds(1));
        a.data().membershipChanged(); // as when a peer joins or leaves
        assertThat(a.data().dropSurplus()).as("right after a membership change").isZero();
        clock.advance(DataService.STABLE.plusSeconds(1));

        // One holder loses its copy of one surplus chunk: that chunk's surplus copy must stay.
        String lost = surplus.get(0);
        DataPeers.Peer holder = Placement.holders(lost, members, 2).get(0);
        Coordinator holding = peers.stream().filter(p -> p.url().equals(holder.url())).findFirst().orElseThrow();
        assertThat(holding.data().local().delete(lost)).isTrue();

        assertThat(a.data().dropSurplus()).isEqualTo(surplus.size() - 1);
        for (String sha : u.hashes()) {
            boolean mine = !surplus.contains(sha);
            assertThat(held(a, sha)).as("a's copy of " + sha).isEqualTo(mine || sha.equals(lost));
            if (!sha.equals(lost)) {
                assertThat(cluster.holding(sha)).as("copies of " + sha).hasSize(2);
            }
        }
        // Re-replication gives the holder its copy back; the next pass then drops the surplus one.
        a.data().repair();
        assertThat(held(holding, lost)).isTrue();
        assertThat(a.data().dropSurplus()).isEqualTo(1);
        assertThat(held(a, lost)).isFalse();
        for (Coordinator p : peers) {
            assertThat(Uploads.get(p.url() + "/api/v1/files/" + u.id() + "/content", Harness.KEY, null).body())
                    .as("the file served by " + p.url()).isEqualTo(bytes);
        }

        // Copies received within the last minute stay (they may be serving a reader), then go.
        Uploads v = Uploads.of(random(30 * CHUNK, 22), CHUNK);
        v.uploadAll(a.url(), "recent.bin");
        long recent = v.hashes().stream().filter(sha -> !Placement.holders(sha, members, 2).contains(LocalPeers.asPeer(a))).count();
        assertThat(a.data().dropSurplus()).as("copies received just now").isZero();
        clock.advance(DataService.STABLE.plusSeconds(1));
        assertThat(a.data().dropSurplus()).as("v's surplus copies, and u's that a fetched back to serve u")
                .isEqualTo((int) recent + surplus.size());
        for (Uploads f : List.of(u, v)) {
            for (String sha : f.hashes()) {
                assertThat(held(a, sha)).as("a's copy of " + sha)
                        .isEqualTo(Placement.holders(sha, members, 2).contains(LocalPeers.asPeer(a)));
            }
        }
    }

    @Test
    void fileNoJobReferences_collectedAfterTheGrace_sharedChunksStay_runningAndRecentlyEndedJobsKeepTheirFiles() {
        List<Coordinator> peers = start();
        Coordinator a = peers.get(0);
        byte[] shared = random(CHUNK, 30);
        Uploads orphan = Uploads.of(concat(shared, random(3 * CHUNK, 31)), CHUNK);
        Uploads running = Uploads.of(concat(shared, random(2 * CHUNK, 32)), CHUNK);
        Uploads cancelled = Uploads.of(random(3 * CHUNK, 33), CHUNK);
        for (Uploads f : List.of(orphan, running, cancelled)) {
            assertThat(f.uploadAll(a.url(), "f.bin").json().get("complete").asBoolean()).isTrue();
        }
        String runningJob = Harness.submit(a.url(), wordcount(running));
        String cancelledJob = Harness.submit(a.url(), wordcount(cancelled));

        clock.advance(Duration.ofHours(23));
        assertThat(collect(peers)).as("within the grace period").isEmpty();
        assertThat(Harness.call("DELETE", a.url() + "/api/v1/jobs/" + cancelledJob, Harness.KEY, null).json()
                .get("state").asText()).isEqualTo("CANCELLED");

        clock.advance(Duration.ofHours(2));
        assertThat(collect(peers)).as("25 h after the uploads").containsExactly(orphan.id());
        assertThat(Harness.call("GET", a.url() + "/api/v1/files/" + orphan.id(), Harness.KEY, null).status()).isEqualTo(404);
        assertGone(orphan.hashes().subList(1, orphan.hashes().size()));
        assertThat(cluster.holding(orphan.hashes().get(0))).as("the chunk the running job's file shares").hasSizeGreaterThanOrEqualTo(2);
        for (Uploads kept : List.of(running, cancelled)) {
            assertThat(Uploads.get(a.url() + "/api/v1/files/" + kept.id() + "/content", Harness.KEY, null).body())
                    .isEqualTo(kept.bytes());
        }

        clock.advance(Duration.ofHours(23));
        assertThat(collect(peers)).as("25 h after its job was cancelled").containsExactly(cancelled.id());
        assertGone(cancelled.hashes());

        Harness.call("DELETE", a.url() + "/api/v1/jobs/" + runningJob, Harness.KEY, null);
        clock.advance(Duration.ofHours(25));
        assertThat(collect(peers)).containsExactly(running.id());
        assertGone(running.hashes());
    }

    /** One garbage pass on every peer; the files they dropped. */
    private static List<String> collect(List<Coordinator> peers) {
        List<String> dropped = new ArrayList<>();
        for (Coordinator p : peers) {
            try {
                dropped.addAll(p.data().collectGarbage().files().files());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dropped;
    }

    private void assertGone(List<String> chunks) {
        for (String sha : chunks) {
            assertThat(cluster.holding(sha)).as("peers still storing " + sha).isEmpty();
        }
    }

    private static String wordcount(Uploads file) {
        return "{\"app\":\"wordcount\",\"input\":{\"files\":[\"" + file.id() + "\"]}}";
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
