package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Several peers in one JVM (real Hazelcast members on loopback, one shared H2 database). */
class InProcessClusterTest {
    @TempDir
    Path dir;
    final List<Coordinator> peers = new ArrayList<>();
    final List<TestWorker> workers = new ArrayList<>();
    final String cluster = "itest-" + UUID.randomUUID().toString().substring(0, 8);
    int firstPort;

    @AfterEach
    void stop() {
        workers.forEach(TestWorker::close);
        for (Coordinator c : peers) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // already crashed
            }
        }
    }

    Coordinator peer(int i) {
        return peer(i, "s3cret");
    }

    Coordinator peer(int i, String secret) {
        int port = Harness.freePort();
        CoordinatorOptions o = Harness.options(dir.resolve("peer" + i)).cluster(cluster, secret).clusterPort(port)
                .db("jdbc:h2:file:" + dir.resolve("shared").toAbsolutePath() + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        if (firstPort == 0) {
            firstPort = port;
        } else {
            o.join(List.of("127.0.0.1:" + firstPort));
        }
        Coordinator c = Coordinator.start(o);
        peers.add(c);
        return c;
    }

    /** Units of the job that peer {@code p} counts as needing replicas. */
    private static long readyHere(Coordinator p, String id) {
        return p.index().counts(id)[org.enjambre.workunits.model.UnitState.NEEDS_REPLICAS.ordinal()];
    }

    /** Every unit of the job ready on exactly one live peer, and no unit entry in the map. */
    private static void assertEachUnitReadyOnce(List<Coordinator> live, String id, int n) {
        java.util.Map<Integer, Integer> seen = new java.util.HashMap<>();
        for (Coordinator p : live) {
            for (org.enjambre.coordinator.sched.LocalIndex.Ready r
                    : p.index().ready(id, new org.enjambre.workunits.model.WorkerRef("w", null, null), n, n)) {
                seen.merge(r.index(), 1, Integer::sum);
            }
        }
        assertThat(seen).as("units ready per index").hasSize(n);
        assertThat(seen.values()).as("peers each unit is ready on").containsOnly(1);
        long counted = 0;
        for (Coordinator p : live) {
            counted += p.index().counts(id)[org.enjambre.workunits.model.UnitState.NEEDS_REPLICAS.ordinal()];
        }
        assertThat(counted).as("units counted as needing replicas").isEqualTo(n);
        assertThat(live.get(0).node().units().size()).as("unit entries").isZero();
    }

    @Test
    void bigJob_hasNoUnitEntriesUntilIssued_eachUnitReadyOnOnePeer_throughJoinAndLeave_thenCompletes() {
        Coordinator a = peer(1);
        Coordinator b = peer(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.node().hazelcast().getCluster().getMembers().size() == 2);
        int n = 3000;
        Harness.Response sub = Harness.call("POST", b.url() + "/api/v1/jobs", Harness.KEY,
                "{\"app\":\"noop\",\"input\":{},\"workUnits\":" + n + "}");
        assertThat(sub.status()).as(sub.body()).isEqualTo(201);
        String id = sub.json().get("id").asText();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEachUnitReadyOnce(List.of(a, b), id, n));
        assertThat(Harness.call("GET", a.url() + "/api/v1/jobs/" + id, null, null).json().at("/workUnits/queued").asInt())
                .isEqualTo(n);

        Coordinator c = peer(3); // partitions move to it: every peer rebuilds its fresh units
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEachUnitReadyOnce(List.of(a, b, c), id, n));
        b.close(); // and move again when a peer leaves
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEachUnitReadyOnce(List.of(a, c), id, n));

        workers.add(new TestWorker(a.url(), "wa", TestWorker.Behaviour.HONEST));
        workers.add(new TestWorker(c.url(), "wc", TestWorker.Behaviour.HONEST));
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(
                Harness.call("GET", c.url() + "/api/v1/jobs/" + id, null, null).json().get("state").asText()).isEqualTo("COMPLETED"));
        assertThat(Harness.call("GET", a.url() + "/api/v1/jobs/" + id + "/result", null, null).json().get("workUnits").asInt())
                .isEqualTo(n);
    }

    @Test
    void peerWithAnotherSecret_neverJoins() {
        Coordinator a = peer(1, "s3cret");
        Coordinator b = peer(2, "not-the-secret"); // same cluster name, seeded with a's address
        assertThat(a.node().hazelcast().getCluster().getMembers()).hasSize(1);
        assertThat(b.node().hazelcast().getCluster().getMembers()).hasSize(1);
        assertThat(Harness.call("GET", a.url() + "/api/v1/cluster", null, null).json().get("peers")).hasSize(1);
    }

    @Test
    void primesJob_survivesCrashOfOnePeer_withEveryUnitValidatedOnce() {
        Coordinator a = peer(1);
        Coordinator b = peer(2);
        Coordinator c = peer(3);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.node().hazelcast().getCluster().getMembers().size() == 3);
        JsonNode cluster = Harness.call("GET", a.url() + "/api/v1/cluster", null, null).json();
        assertThat(cluster.get("peers")).hasSize(3);

        Harness.Response sub = Harness.call("POST", b.url() + "/api/v1/jobs", Harness.KEY,
                "{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":10000000},\"workUnits\":100,\"deadlineSeconds\":3}");
        assertThat(sub.status()).as(sub.body()).isEqualTo(201);
        String id = sub.json().get("id").asText();
        workers.add(new TestWorker(a.url(), "wa", TestWorker.Behaviour.HONEST));
        workers.add(new TestWorker(b.url(), "wb", TestWorker.Behaviour.HONEST));
        workers.add(new TestWorker(c.url(), "wc", TestWorker.Behaviour.HONEST));
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Harness.call("GET", a.url() + "/api/v1/jobs/" + id, null, null).json().at("/workUnits/done").asInt() >= 10);
        c.crash(); // its worker dies with it: the replicas it held come back at their 3 s deadline

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode job = Harness.call("GET", a.url() + "/api/v1/jobs/" + id, null, null).json();
            assertThat(job.get("state").asText()).isEqualTo("COMPLETED");
        });
        assertThat(Harness.call("GET", b.url() + "/api/v1/jobs/" + id + "/result", null, null).json().get("count").asLong())
                .isEqualTo(664579);
        JsonNode units = Harness.call("GET", a.url() + "/api/v1/jobs/" + id + "/units?limit=100", null, null).json().get("units");
        assertThat(units).hasSize(100);
        for (JsonNode u : units) {
            assertThat(u.get("state").asText()).isEqualTo("DONE");
            long valid = 0;
            for (JsonNode r : u.get("replicas")) {
                if (r.get("validate").asText().equals("VALID")) {
                    valid++;
                }
            }
            assertThat(valid).as("unit %s", u).isBetween(2L, 3L);
        }
    }

    @Test
    void credibilityJob_acrossTwoPeers_acceptsLoneResultsOnceWorkersPassedTheirChecks() {
        Coordinator a = peer(1);
        Coordinator b = peer(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.node().hazelcast().getCluster().getMembers().size() == 2);
        for (String name : List.of("x", "y", "z")) {
            workers.add(new TestWorker(name.equals("x") ? a.url() : b.url(), name, TestWorker.Behaviour.HONEST)
                    .pace(Duration.ofMillis(20)));
        }
        String spec = "{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":10000000},\"workUnits\":100,"
                + "\"redundancy\":{\"replicas\":1,\"quorum\":1,\"credibility\":0.99,\"spotCheckRate\":0.2}}";
        // The first job warms the new workers up: their results are voted on (credibility planning) while they pass
        // the spot-checks that make one result of theirs credible alone. How many of its units came after that is a
        // race (the order fetches took its units in), so lone results are asserted on the second job only.
        String first = Harness.submit(a.url(), spec);
        Harness.awaitJob(b.url(), first, "COMPLETED", Duration.ofSeconds(120));
        assertThat(Harness.call("GET", b.url() + "/api/v1/jobs/" + first + "/result", null, null).json().get("count").asLong())
                .isEqualTo(664579);
        String id = Harness.submit(b.url(), spec);
        Harness.awaitJob(a.url(), id, "COMPLETED", Duration.ofSeconds(120));
        assertThat(Harness.call("GET", a.url() + "/api/v1/jobs/" + id + "/result", null, null).json().get("count").asLong())
                .isEqualTo(664579);
        int alone = 0;
        for (JsonNode u : Harness.units(a.url(), id)) {
            assertThat(u.get("state").asText()).isEqualTo("DONE");
            JsonNode canonical = u.get("replicas").get(u.get("canonical").asInt());
            long valid = 0;
            for (JsonNode r : u.get("replicas")) {
                valid += r.get("validate").asText().equals("VALID") ? 1 : 0;
            }
            if (valid == 1) {
                alone++;
                assertThat(canonical.get("credibility").asDouble()).as("unit %s", u).isGreaterThanOrEqualTo(0.99);
            }
        }
        assertThat(alone).as("units accepted with a single credible result").isPositive();
    }

    @Test
    void sync_atOnePeer_releasesTheWorkersReplicasOnEveryPeer() {
        Coordinator a = peer(1);
        Coordinator b = peer(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.node().hazelcast().getCluster().getMembers().size() == 2);
        // Units live on partitions in blocks of UnitBlocks.SIZE: 16 blocks, so both peers own some but for a chance of 2^-15.
        int units = 16 * org.enjambre.coordinator.cluster.UnitBlocks.SIZE;
        String id = Harness.submit(a.url(), Harness.primesSpec(2, 100_000, units, 1, 1, "\"deadlineSeconds\":600"));
        // Peer b joined a moment ago: wait until partitions moved to it, so both peers own units of the job (fresh
        // units have no entries: each peer's index holds those it owns).
        await().atMost(Duration.ofSeconds(30)).until(() -> readyHere(b, id) > 0 && readyHere(a, id) > 0
                && readyHere(a, id) + readyHere(b, id) == units);
        Harness.Registered w = Harness.register(a.url(), "w", "primes");
        List<String> held = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Harness.fetch(a.url(), w.token(), Math.min(256, units - held.size())).json().get("tasks")
                    .forEach(t -> held.add(t.get("id").asText()));
            return held.size() == units; // its own units first, then those peer b owns (stealing)
        });
        long ownedByB = held.stream().filter(t -> b.node().units().localKeySet().contains(t.substring(0, t.lastIndexOf('/')))).count();
        assertThat(ownedByB).as("replicas of units that peer b owns").isPositive();
        // Each peer learns of an issued replica from its local index, which Hazelcast feeds asynchronously: wait until
        // both indexes have seen them all (a release in the same instant as the issue may miss it; it then waits for its deadline).
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Harness.job(a.url(), id).get("workUnits").get("inProgress").asInt() == units);

        Harness.Response sync = Harness.call("POST", a.url() + "/api/v1/work/sync", w.token(), "{\"holding\":[]}");
        assertThat(sync.status()).as(sync.body()).isEqualTo(200);
        assertThat(sync.json().get("released").asInt()).isEqualTo(units);
        for (JsonNode u : Harness.units(b.url(), id)) {
            assertThat(u.get("replicas").get(0).get("outcome").asText()).as("unit %s", u).isEqualTo("RELEASED");
        }
    }

    @Test
    void jobList_acrossTwoPeers_asksEveryPeerOnce_andCountsWhatEachHolds() {
        Coordinator a = peer(1);
        Coordinator b = peer(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.node().hazelcast().getCluster().getMembers().size() == 2);
        List<String> ids = new ArrayList<>();
        // Units live on partitions in blocks of UnitBlocks.SIZE: 3 jobs of 5 blocks, so that both peers own units
        // but for a chance of 2^-14.
        int perJob = 5 * org.enjambre.coordinator.cluster.UnitBlocks.SIZE;
        int taken = 3 * perJob - 4;
        for (int i = 0; i < 3; i++) {
            ids.add(Harness.submit(a.url(), Harness.primesSpec(2, 100_000, perJob, 1, 1, "\"deadlineSeconds\":600")));
        }
        // Peer b joined a moment ago: wait until partitions moved to it, so both peers own units of the jobs.
        await().atMost(Duration.ofSeconds(30)).until(() -> b.index().readyCount() > 0 && a.index().readyCount() > 0
                && a.index().readyCount() + b.index().readyCount() == 3 * perJob);
        Harness.Registered w = Harness.register(a.url(), "w", "primes");
        List<String> held = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Harness.fetch(a.url(), w.token(), Math.min(256, taken - held.size())).json().get("tasks")
                    .forEach(t -> held.add(t.get("id").asText()));
            return held.size() == taken; // all but 4 units, some of them owned by peer b (stolen)
        });
        assertThat(held).as("replicas of units peer b owns")
                .anyMatch(t -> b.node().units().localKeySet().contains(t.substring(0, t.lastIndexOf('/'))));

        // each peer's index follows its units through an asynchronous listener (and is rebuilt once partitions
        // settle after a join): the counts are eventually those of the units; every attempt asks once per peer
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            long before = a.peers().asked(org.enjambre.coordinator.cluster.PeerQuestion.CountJobs.class);
            JsonNode list = Harness.call("GET", a.url() + "/api/v1/jobs", null, null).json().get("jobs");
            assertThat(a.peers().asked(org.enjambre.coordinator.cluster.PeerQuestion.CountJobs.class) - before)
                    .as("questions for a list of 3 running jobs").isEqualTo(1);
            assertThat(list).hasSize(3);
            long inProgress = 0;
            for (JsonNode job : list) {
                JsonNode one = Harness.call("GET", a.url() + "/api/v1/jobs/" + job.get("id").asText(), null, null).json();
                assertThat(job.get("workUnits")).as("list and single view of %s", job.get("id")).isEqualTo(one.get("workUnits"));
                assertThat(job.get("tasks")).isEqualTo(one.get("tasks"));
                assertThat(job.at("/tasks/issued").asLong()).isEqualTo(job.at("/workUnits/inProgress").asLong());
                inProgress += job.at("/workUnits/inProgress").asLong();
            }
            assertThat(inProgress).isEqualTo(taken);
        });
    }
}
