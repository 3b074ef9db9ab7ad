package org.enjambre.coordinator.data;

import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.Harness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Three real peers in one JVM (Hazelcast on loopback, one shared H2 file), chunks on R = 2 of them. */
class DataClusterTest {
    static final int CHUNK = LocalPeers.CHUNK;

    @TempDir
    Path dir;
    LocalPeers cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void uploadToOnePeer_eachChunkOnTwoPeers_readableFromAny_andBackAtTwoCopiesAfterAPeerCrashes() {
        cluster = new LocalPeers(dir, o -> o);
        List<Coordinator> peers = cluster.start3();
        Coordinator a = peers.get(0);
        Coordinator b = peers.get(1);
        Coordinator c = peers.get(2);
        byte[] bytes = new byte[12 * CHUNK + 7];
        new Random(11).nextBytes(bytes);
        Uploads u = Uploads.of(bytes, CHUNK);

        Harness.Response done = u.uploadAll(a.url(), "spread.bin");
        assertThat(done.json().get("complete").asBoolean()).as(done.body()).isTrue();
        for (String sha : u.hashes()) {
            List<Coordinator> holders = cluster.holding(sha);
            assertThat(holders.size()).as("copies of " + sha).isGreaterThanOrEqualTo(2);
        }
        // Each chunk's placement holders (not only the receiving peer) have it.
        List<DataPeers.Peer> members = peers.stream().map(LocalPeers::asPeer).toList();
        for (String sha : u.hashes()) {
            for (DataPeers.Peer h : Placement.holders(sha, members, 2)) {
                Coordinator holder = peers.stream().filter(p -> p.url().equals(h.url())).findFirst().orElseThrow();
                assertThat(holder.data().local().has(sha)).as(sha + " on its holder " + h.url()).isTrue();
            }
        }
        // Every peer serves the whole file, fetching what it lacks from a holder.
        for (Coordinator p : peers) {
            HttpResponse<byte[]> r = Uploads.get(p.url() + "/api/v1/files/" + u.id() + "/content", Harness.KEY, null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(bytes);
        }

        // A fresh file, then the peer that received it (and so kept a copy of every chunk) crashes.
        byte[] second = new byte[40 * CHUNK];
        new Random(12).nextBytes(second);
        Uploads v = Uploads.of(second, CHUNK);
        v.uploadAll(b.url(), "second.bin");
        assertThat(v.hashes()).as("some chunks are on b and only one other peer (1 - (2/3)^40 likely)")
                .anyMatch(sha -> !(a.data().local().has(sha) && c.data().local().has(sha)));
        b.crash();
        await().atMost(Duration.ofSeconds(30)).until(() -> a.node().hazelcast().getCluster().getMembers().size() == 2
                && c.node().hazelcast().getCluster().getMembers().size() == 2);
        // Re-replication, before anyone reads: with two survivors and R = 2, every chunk ends up on both of them.
        await("every chunk back at 2 copies").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (String sha : v.hashes()) {
                assertThat(a.data().local().has(sha) && c.data().local().has(sha)).as(sha).isTrue();
            }
        });
        for (Coordinator p : List.of(a, c)) {
            HttpResponse<byte[]> r = Uploads.get(p.url() + "/api/v1/files/" + v.id() + "/content", Harness.KEY, null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(second);
        }
    }
}
