package org.enjambre.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.CoordinatorOptions;
import org.enjambre.coordinator.data.DataPeers;
import org.enjambre.coordinator.data.Placement;
import org.enjambre.worker.Worker;
import org.enjambre.worker.WorkerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The swarm with real workers over real HTTP on loopback (README, "Data files"): a worker sharing its cache
 * ({@code --share-cache}) serves a file to a later worker instead of the coordinator, and a peer that holds a
 * corrupt chunk, named to a worker as a holder (it set a public URL), is reported by the worker, which still
 * computes the right answer, and repairs its copy from the other holder.
 */
class LanSharingTest {
    static final int CHUNK_KB = 16;

    @TempDir
    Path dir;
    final TestWorkers workers = new TestWorkers();
    final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        workers.close();
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /** A counter of the Prometheus text of the peer at {@code url}, e.g. {@code enjambre_data_served_bytes_total{to="worker"}}. */
    static double metric(String url, String series) {
        for (String line : TestCoordinator.send(url, "GET", "/metrics", null, null, null).body().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        return 0;
    }

    static final String SERVED = "enjambre_data_served_bytes_total{to=\"worker\"}";

    /** Uploads {@code text} as a file with the CLI; returns its id. */
    static String upload(Path file, String text, String url) throws Exception {
        Files.writeString(file, text);
        Cli.Run run = Cli.run("data", "upload", file.toString(), "--coordinator", url, "--api-key", TestCoordinator.KEY,
                "--chunk-kb", Integer.toString(CHUNK_KB));
        assertThat(run.code()).as(run.err()).isZero();
        return run.out().trim().split("\\s+")[0];
    }

    static String job(String fileId, int replicas) {
        return "{\"app\":\"wordcount\",\"input\":{\"files\":[\"" + fileId + "\"]},\"redundancy\":{\"replicas\":" + replicas
                + ",\"quorum\":" + replicas + "}}";
    }

    static long words(String text) {
        return Arrays.stream(text.split("[ \\t\\n\\r\\f\\u000B]+")).filter(w -> !w.isEmpty()).count();
    }

    WorkerOptions sharing(String name, String... urls) {
        return TestWorkers.options(dir.resolve(name), name, urls).cacheMb(64)
                .sharing(new WorkerOptions.Sharing(true, "127.0.0.1", 0, 4)).build();
    }

    @Test
    void laterWorker_getsTheFileFromASharingWorker_notFromTheCoordinator() throws Exception {
        TestCoordinator coordinator = TestCoordinator.start(dir.resolve("coordinator"), o -> o.chunkBytes(CHUNK_KB << 10));
        closing.add(coordinator);
        String text = DataEndToEndTest.text(60_000, 7); // ~480 KB: about 30 chunks
        String id = upload(dir.resolve("big.txt"), text, coordinator.url());
        long size = text.getBytes(StandardCharsets.UTF_8).length;

        Worker a = workers.start(sharing("worker-a", coordinator.url()));
        String first = coordinator.submit(job(id, 1));
        coordinator.awaitJob(first, "COMPLETED");
        assertThat(metric(coordinator.url(), SERVED)).as("a fetched the file from the coordinator").isEqualTo(size);

        Worker b = workers.start(sharing("worker-b", coordinator.url()));
        String second = coordinator.submit(job(id, 2)); // quorum 2: a (from its cache) and b both compute it
        coordinator.awaitJob(second, "COMPLETED");
        JsonNode result = TestCoordinator.JSON.readTree(coordinator.result(second));
        assertThat(result.get("words").asLong()).isEqualTo(words(text));
        assertThat(result.get("bytes").asLong()).isEqualTo(size);
        assertThat(a.shareServer().orElseThrow().servedBytes()).as("b got the whole file from a").isEqualTo(size);
        assertThat(metric(coordinator.url(), SERVED)).as("the coordinator sent no chunk to b").isEqualTo(size);
        assertThat(b.shareServer().orElseThrow().servedBytes()).isZero();
    }

    @Test
    void corruptChunkOnAHolder_workerStillRight_reportsIt_andTheHolderRepairsItsCopy() throws Exception {
        String cluster = "lan-" + UUID.randomUUID().toString().substring(0, 8);
        int seed = TestCoordinator.freePort();
        List<Coordinator> peers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int http = TestCoordinator.freePort();
            int hz = i == 0 ? seed : TestCoordinator.freePort();
            CoordinatorOptions o = CoordinatorOptions.builder(dir.resolve("peer" + i)).host("127.0.0.1").port(http)
                    .publicUrl("http://127.0.0.1:" + http).apiKey(TestCoordinator.KEY).cluster(cluster, "s3cret").clusterPort(hz)
                    .allowSameHost(true).deadlineCheckMillis(50).chunkBytes(CHUNK_KB << 10).dataReplicas(2)
                    .db("jdbc:h2:file:" + dir.resolve("shared").toAbsolutePath() + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
            if (i > 0) {
                o.join(List.of("127.0.0.1:" + seed));
            }
            Coordinator c = Coordinator.start(o);
            closing.add(0, c);
            peers.add(c);
        }
        await().atMost(TestCoordinator.PATIENCE).until(() -> peers.stream()
                .allMatch(p -> p.node().hazelcast().getCluster().getMembers().size() == 2));
        String text = DataEndToEndTest.text(20_000, 3); // ~160 KB: about 10 chunks, each on both peers
        String id = upload(dir.resolve("t.txt"), text, peers.get(0).url());

        // A chunk whose best holder is peer 1: the worker (given only peer 0) asks peer 1 first for it.
        List<DataPeers.Peer> members = peers.stream().map(p -> new DataPeers.Peer(
                p.node().hazelcast().getCluster().getLocalMember().getUuid().toString(), p.url())).toList();
        JsonNode manifest = TestCoordinator.send(peers.get(0).url(), "GET", "/api/v1/files/" + id, null, null, TestCoordinator.KEY).json();
        List<String> chunks = new ArrayList<>();
        manifest.get("chunks").forEach(c -> chunks.add(c.asText()));
        String sha = chunks.stream().filter(c -> Placement.holders(c, members, 2).get(0).url().equals(peers.get(1).url()))
                .findFirst().orElseThrow();
        Path onDisk = dir.resolve("peer1").resolve("chunks").resolve(sha.substring(0, 2)).resolve(sha);
        byte[] good = Files.readAllBytes(onDisk);
        byte[] corrupt = good.clone();
        corrupt[good.length / 2] ^= 0x20;
        Files.write(onDisk, corrupt);

        workers.start(TestWorkers.options(dir.resolve("worker"), "reader", peers.get(0).url()).cacheMb(64).build());
        String job = TestCoordinator.send(peers.get(0).url(), "POST", "/api/v1/jobs", job(id, 1).getBytes(StandardCharsets.UTF_8),
                "application/json", TestCoordinator.KEY).json().get("id").asText();
        await().atMost(TestCoordinator.PATIENCE).until(() -> TestCoordinator.send(peers.get(0).url(), "GET", "/api/v1/jobs/" + job,
                null, null, TestCoordinator.KEY).json().get("state").asText().equals("COMPLETED"));
        JsonNode result = TestCoordinator.send(peers.get(0).url(), "GET", "/api/v1/jobs/" + job + "/result", null, null,
                TestCoordinator.KEY).json();
        assertThat(result.get("words").asLong()).isEqualTo(words(text));
        assertThat(metric(peers.get(1).url(), SERVED)).as("peer 1 served the worker (a named holder)").isPositive();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(metric(peers.get(0).url(), "enjambre_data_bad_copies_total{source=\"peer\"}")
                    + metric(peers.get(1).url(), "enjambre_data_bad_copies_total{source=\"peer\"}")).as("the report").isEqualTo(1);
            assertThat(Files.readAllBytes(onDisk)).as("peer 1's copy, repaired").isEqualTo(good);
        });
    }
}
