package org.enjambre.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.worker.Worker;
import org.enjambre.worker.WorkerMain;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.enjambre.cli.e2e.TestCoordinator.PATIENCE;

/**
 * The worker's durability and batching as a volunteer runs it: real {@code enjambre worker} JVMs
 * killed with {@code kill -9}, and the requests a real coordinator counts.
 */
class WorkerProcessTest {
    /** Four collatz units of a million numbers each: about a second each at a 20 % CPU limit. */
    private static final String FOUR_UNITS = "{\"name\":\"four\",\"app\":\"collatz\",\"input\":{\"from\":1,\"to\":4000001},"
            + "\"workUnits\":4,\"redundancy\":{\"replicas\":1,\"quorum\":1}}";

    @TempDir
    static Path shared;
    static TestCoordinator coordinator;

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final TestWorkers workers = new TestWorkers();

    @BeforeAll
    static void startCoordinator() {
        Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
        Awaitility.setDefaultPollDelay(Duration.ZERO);
        Awaitility.setDefaultTimeout(PATIENCE);
        coordinator = TestCoordinator.start(shared.resolve("coordinator"));
    }

    @AfterAll
    static void stopCoordinator() {
        coordinator.close();
        Awaitility.reset();
    }

    @AfterEach
    void cleanUp() {
        processes.forEach(Process::destroyForcibly);
        workers.close();
        coordinator.cancelUnfinished();
    }

    /** Starts {@code enjambre worker} in a JVM of its own; its output goes to {@code log}. */
    private Process startWorker(Path data, Path log, String... extra) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), WorkerMain.class.getName(),
                "--coordinator", coordinator.url(), "--data-dir", data.toString(), "--name", "child"));
        cmd.addAll(List.of(extra));
        try {
            Process process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            processes.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void killDashNine_midBatch_restartResumesEveryTaskItHeld() throws Exception {
        Path data = dir.resolve("worker");
        Path log = dir.resolve("worker.log");
        String job = coordinator.submit(FOUR_UNITS);
        Process first = startWorker(data, log, "--cores", "4", "--cpu-limit", "20");
        // A worker that knows nothing of an app fetches one task per core: one batch of four, journaled at once.
        await().until(() -> TestWorkers.heldTasks(data).size() == 4);
        first.destroyForcibly(); // kill -9
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> held = TestWorkers.heldTasks(data);
        assertThat(held).hasSize(4);
        assertThat(coordinator.job(job).at("/workUnits/done").asInt()).isLessThan(4);
        String workerId = coordinator.workers().stream().filter(w -> w.get("name").asText().equals("child"))
                .map(w -> w.get("id").asText()).findFirst().orElseThrow();

        startWorker(data, log, "--cores", "4");
        coordinator.awaitJob(job, "COMPLETED");
        assertThat(read(log)).contains("and 4 task(s) to resume");
        assertThat(coordinator.result(job)).isEqualTo("{\"maxSteps\":596,\"argmax\":3732423}");
        // Nothing was lost or reissued: each unit's one replica is the restarted worker's.
        for (JsonNode unit : coordinator.units(job)) {
            assertThat(unit.get("replicas")).hasSize(1);
            assertThat(unit.at("/replicas/0/worker").asText()).isEqualTo(workerId);
            assertThat(unit.at("/replicas/0/validate").asText()).isEqualTo("VALID");
        }
        await().until(() -> TestWorkers.heldTasks(data).isEmpty());
    }

    @Test
    void manyShortTasks_areFetchedAndReportedInBatches_withFewFsyncs() {
        long reportsBefore = coordinator.requests("POST", "/api/v1/work/report", 200);
        long fetchesBefore = coordinator.requests("POST", "/api/v1/work/fetch", 200);
        // A report closes at 256 results (the delay is long, so only the count closes it). The fetch long-polls
        // 20 s, so the requests counted are the ones that carried tasks, not idle polls before the job was submitted
        // or after its last task (a job's submission wakes a waiting fetch at once); a slow machine adds none.
        Worker worker = workers.start(TestWorkers.options(dir.resolve("batcher"), "batcher", coordinator.url()).cores(2)
                .reportDelay(Duration.ofSeconds(10)).fetchWait(Duration.ofSeconds(20)).build());
        String job = coordinator.submit("{\"app\":\"noop\",\"input\":{\"n\":1},\"workUnits\":512,"
                + "\"redundancy\":{\"replicas\":1,\"quorum\":1}}");
        coordinator.awaitJob(job, "COMPLETED");
        await().until(() -> worker.stats().reported() == 512);

        long reports = coordinator.requests("POST", "/api/v1/work/report", 200) - reportsBefore;
        long fetches = coordinator.requests("POST", "/api/v1/work/fetch", 200) - fetchesBefore;
        // Two batches of 256; a third only if a machine so slow that 10 s pass between two batches.
        assertThat(reports).as("report requests for 512 results").isBetween(2L, 3L);
        assertThat(fetches).as("fetch requests for 512 tasks").isLessThan(20);
        // One fsync per fetched batch and per group commit, not two per task (1,024 before).
        assertThat(worker.journalSyncs()).isLessThan(fetches + reports + 2);
        assertThat(worker.stats().done()).isEqualTo(512);
    }

    @Test
    void aTaskFetchedButNeverJournaled_isReleasedByTheSyncAtRestart_notAtItsDeadline() throws Exception {
        Path data = dir.resolve("syncer");
        // The worker holds tasks of a first job when it is stopped (its buffer may have taken more of that job).
        coordinator.submit(FOUR_UNITS);
        Worker first = workers.start(TestWorkers.options(data, "syncer", coordinator.url()).cores(2).cpuLimitPercent(20).build());
        await().until(() -> TestWorkers.heldTasks(data).size() == 2);
        first.abort();
        // A job submitted after it stopped, ahead of the first one, so the fetch below takes one of its units.
        String job = coordinator.submit(FOUR_UNITS.replace("\"workUnits\":4", "\"workUnits\":3,\"priority\":10"));
        // What a kill -9 between a fetch's answer and the journal's fsync leaves: a task the coordinator
        // gave this worker that its journal does not hold.
        String token = TestCoordinator.JSON.readTree(Files.readAllBytes(data.resolve("identity.json"))).get("token").asText();
        TestCoordinator.Response fetched = coordinator.send("POST", "/api/v1/work/fetch",
                "{\"max\":1,\"waitMs\":0}".getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json", token);
        assertThat(fetched.status()).isEqualTo(200);
        String lost = fetched.json().at("/tasks/0/id").asText();
        assertThat(lost).startsWith(job + "/");
        assertThat(TestWorkers.heldTasks(data)).isNotEmpty().doesNotContain(lost);

        Worker syncer = workers.start(TestWorkers.options(data, "syncer", coordinator.url()).cores(2).build());
        // A released replica does not keep its worker from the unit: either worker may take the new one.
        Worker other = workers.start(TestWorkers.options(dir.resolve("other"), "other", coordinator.url()).build());
        coordinator.awaitJob(job, "COMPLETED"); // within the test's patience, not the 600 s deadline
        assertThat(coordinator.result(job)).isEqualTo("{\"maxSteps\":596,\"argmax\":3732423}");
        String lostUnit = lost.substring(0, lost.lastIndexOf('/'));
        JsonNode unit = coordinator.units(job).stream().filter(u -> (job + "/" + u.get("index").asInt()).equals(lostUnit))
                .findFirst().orElseThrow();
        assertThat(unit.get("replicas")).hasSize(2);
        assertThat(unit.at("/replicas/0/outcome").asText()).isEqualTo("RELEASED");
        assertThat(unit.at("/replicas/1/validate").asText()).isEqualTo("VALID");
        assertThat(unit.at("/replicas/1/worker").asText()).isIn(other.workerId().orElseThrow(), syncer.workerId().orElseThrow());
    }
}
