package org.enjambre.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.worker.Worker;
import org.enjambre.worker.store.TaskJournal;
import org.enjambre.worker.testkit.SmallDisk;
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
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker whose disk is full, end to end: a real coordinator, real workers in this JVM, the worker's whole data
 * directory on a real 1 MiB in-memory disk (its cache keeps 64 KiB of it free) that a filler file fills and empties.
 * A unit whose input file cannot be cached fails on that worker with the cause named, is computed by another worker,
 * and leaves nothing in the first one's cache; a fetch that cannot be journaled is given back, not run; the worker
 * goes on once there is room.
 */
class WorkerDiskFullTest {
    private static final int CHUNK = 16 << 10;
    private static final long RESERVE = (1 << 20) / 16;

    @TempDir
    Path dir;
    TestCoordinator coordinator;
    final TestWorkers workers = new TestWorkers();
    final SmallDisk disk = new SmallDisk(1 << 20);

    @AfterEach
    void stop() throws Exception {
        workers.close();
        if (coordinator != null) {
            coordinator.close();
        }
        disk.close();
    }

    private Worker start(Path dataDir, String name) {
        Worker w = workers.start(TestWorkers.options(dataDir, name, coordinator.url()).cacheMb(64).build());
        await().atMost(TestCoordinator.PATIENCE).until(() -> w.workerId().isPresent());
        return w;
    }

    /** Uploads {@code text} as a file; returns its id. */
    private String upload(String name, String text) throws Exception {
        Path file = Files.writeString(Files.createDirectories(dir.resolve("texts")).resolve(name), text);
        Cli.Run up = Cli.run("data", "upload", file.toString(), "--coordinator", coordinator.url(), "--api-key",
                TestCoordinator.KEY, "--chunk-kb", String.valueOf(CHUNK >> 10));
        assertThat(up.code()).as(up.err()).isZero();
        return up.out().trim().split("\\s+")[0];
    }

    private String wordcount(String fileId) {
        return coordinator.submit("{\"app\":\"wordcount\",\"input\":{\"files\":[\"" + fileId + "\"]},"
                + "\"redundancy\":{\"replicas\":1,\"quorum\":1}}");
    }

    private List<JsonNode> replicas(String job) {
        List<JsonNode> out = new ArrayList<>();
        coordinator.units(job).get(0).get("replicas").forEach(out::add);
        return out;
    }

    /** The replicas of the job's one unit that ended with {@code outcome} (released ones may come and go meanwhile). */
    private List<JsonNode> withOutcome(String job, String outcome) {
        return replicas(job).stream().filter(r -> outcome.equals(r.path("outcome").asText())).toList();
    }

    private static List<Path> files(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void fileUnit_onAFullDisk_failsNamingTheCause_runsElsewhere_leavesNothingCached_andTheWorkerGoesOnOnceThereIsRoom()
            throws Exception {
        coordinator = TestCoordinator.start(dir.resolve("coordinator"), o -> o.chunkBytes(CHUNK));
        String first = DataEndToEndTest.text(6000, 1);
        String second = DataEndToEndTest.text(5000, 2);
        String firstId = upload("first.txt", first);
        String secondId = upload("second.txt", second);
        Path aDir = disk.path("/a");
        Worker a = start(aDir, "a");
        String aId = a.workerId().orElseThrow();
        disk.fillLeaving(RESERVE + CHUNK / 2); // room for the journal, not for a chunk and the reserve

        String job = wordcount(firstId);
        await().atMost(TestCoordinator.PATIENCE).until(() -> withOutcome(job, "CLIENT_ERROR").size() == 1);
        JsonNode failed = withOutcome(job, "CLIENT_ERROR").get(0);
        String chunk0 = DataEndToEndTest.sha(Arrays.copyOf(first.getBytes(StandardCharsets.UTF_8), CHUNK));
        assertThat(failed.get("worker").asText()).isEqualTo(aId);
        assertThat(failed.get("error").asText()).matches("CacheWriteException: disk full while caching chunk " + chunk0
                + " of file " + firstId + ": /a/chunks has \\d+ bytes free, the chunk needs " + CHUNK + " bytes and "
                + RESERVE + " bytes stay free for the task journal");
        assertThat(files(aDir.resolve("chunks"))).as("nothing cached").isEmpty();
        assertThat(files(aDir.resolve("chunks/tmp"))).as("nothing half-written").isEmpty();

        // Another worker computes it: a full disk costs one replica, not the unit.
        Worker b = start(dir.resolve("b"), "b");
        JsonNode counts = TestCoordinator.JSON.readTree(coordinator.result(waitCompleted(job)));
        assertThat(counts.get("bytes").asLong()).isEqualTo(first.length());
        assertThat(counts.get("words").asLong()).isEqualTo(6000);
        assertThat(withOutcome(job, "SUCCESS")).extracting(r -> r.get("worker").asText()).containsExactly(b.workerId().orElseThrow());
        assertThat(withOutcome(job, "CLIENT_ERROR")).as("one error, A's").hasSize(1);
        assertThat(b.stop(Duration.ofSeconds(10))).isTrue();

        // Room again: the same worker, still running, computes the next unit and caches its file.
        disk.makeRoom();
        assertThat(a.stats().state()).isEqualTo(Worker.State.WORKING);
        String next = wordcount(secondId);
        JsonNode nextCounts = TestCoordinator.JSON.readTree(coordinator.result(waitCompleted(next)));
        assertThat(nextCounts.get("words").asLong()).isEqualTo(5000);
        assertThat(withOutcome(next, "SUCCESS")).extracting(r -> r.get("worker").asText()).containsExactly(aId);
        assertThat(withOutcome(next, "CLIENT_ERROR")).isEmpty();
        int chunks = (second.length() + CHUNK - 1) / CHUNK;
        List<Path> cached = files(aDir.resolve("chunks"));
        assertThat(cached).hasSize(chunks);
        for (Path p : cached) {
            assertThat(DataEndToEndTest.sha(Files.readAllBytes(p))).isEqualTo(p.getFileName().toString());
        }
        assertThat(files(aDir.resolve("chunks/tmp"))).isEmpty();
    }

    @Test
    void fetch_thatCannotBeJournaled_isGivenBackNotRun_andRunsOnceThereIsRoom() throws Exception {
        coordinator = TestCoordinator.start(dir.resolve("coordinator"));
        Path aDir = disk.path("/a");
        Worker a = start(aDir, "a");
        disk.fillLeaving(0);

        String job = coordinator.submit("{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":1000},\"workUnits\":1,"
                + "\"redundancy\":{\"replicas\":1,\"quorum\":1}}");
        await().atMost(TestCoordinator.PATIENCE).until(() -> !withOutcome(job, "RELEASED").isEmpty());
        assertThat(TaskJournal.read(aDir).tasks()).as("nothing taken that is not durable").isEmpty();
        assertThat(withOutcome(job, "CLIENT_ERROR")).as("given back, not failed: no error counted").isEmpty();
        assertThat(coordinator.job(job).get("state").asText()).isNotEqualTo("COMPLETED");

        disk.makeRoom();
        assertThat(TestCoordinator.JSON.readTree(coordinator.result(waitCompleted(job))).get("count").asInt()).isEqualTo(168);
        assertThat(withOutcome(job, "SUCCESS")).extracting(r -> r.get("worker").asText()).containsExactly(a.workerId().orElseThrow());
        assertThat(withOutcome(job, "CLIENT_ERROR")).isEmpty();
    }

    private String waitCompleted(String job) {
        coordinator.awaitJob(job, "COMPLETED");
        return job;
    }
}
