package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.store.JdbcStore;
import org.enjambre.coordinator.store.Store;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.WorkUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The records a one-unit job no longer waits for (issue 16): its QUEUED → RUNNING record and its COMPLETED record are
 * written behind. A crash may lose them; what was acknowledged (the 201, the report, the result a user read) must not
 * be lost, and the job must complete again with the same result after a restart.
 *
 * <p>The worst moments are made exact by writing what a crash there leaves on disk (real database files, through the
 * real store, which is then crashed so that its journal is replayed) and starting a real coordinator on them; a
 * second test crashes a real coordinator right after the job shows COMPLETED, wherever its writes were then.
 */
class WrittenBehindRestartTest {
    private static final String SPEC = Harness.primesSpec(2, 1000, 1, 1, 1, null);
    /** Primes below 1000. */
    private static final int PRIMES = 168;

    @TempDir
    Path dir;
    @TempDir
    Path other;
    Coordinator coordinator;

    @AfterEach
    void stop() {
        if (coordinator != null) {
            coordinator.close();
        }
    }

    /** What a crash left on disk of a job whose only unit was reported (and acknowledged). */
    enum Left {
        /** After the result was written, before the COMPLETED record (written behind) was. */
        RUNNING_WITH_RESULT,
        /** After the report was acknowledged, before the result was written. */
        RUNNING_WITHOUT_RESULT,
        /** The RUNNING record (written behind) lost too: the job is QUEUED on disk with its unit DONE. */
        QUEUED_WITHOUT_RESULT
    }

    @ParameterizedTest
    @EnumSource(Left.class)
    void restart_afterACrashLostTheRecordsWrittenBehind_completesWithTheSameResult(Left left) throws Exception {
        String job = completeAJob(SPEC);
        JobRecord completed;
        WorkUnit unit;
        MergedResult result;
        try (JdbcStore done = JdbcStore.h2(dir)) {
            completed = done.job(job).orElseThrow();
            unit = done.unit(job, 0).orElseThrow();
            result = done.result(job).orElseThrow();
        }
        assertThat(unit.state()).isEqualTo(UnitState.DONE);

        JobRecord before = beforeCompletion(completed, left == Left.QUEUED_WITHOUT_RESULT ? JobState.QUEUED : JobState.RUNNING);
        Store.Batch onDisk = new Store.Batch(List.of(unit), List.of(), List.of(before));
        JdbcStore crashed = JdbcStore.h2(other);
        crashed.writeNow(left == Left.RUNNING_WITH_RESULT ? onDisk.with(new Store.Result(job, result)) : onDisk);
        crashed.crash();

        coordinator = Coordinator.start(Harness.options(other));
        String url = coordinator.url();
        Harness.awaitJob(url, job, "COMPLETED", Duration.ofSeconds(30));
        assertThat(Harness.get(url + "/api/v1/jobs/" + job + "/result").get("count").asInt()).isEqualTo(PRIMES);
        coordinator.close();
        coordinator = null;
        try (JdbcStore after = JdbcStore.h2(other)) {
            assertThat(after.job(job).orElseThrow().state()).as("the COMPLETED record, written again").isEqualTo(JobState.COMPLETED);
            assertThat(after.result(job).orElseThrow().body()).isEqualTo(result.body());
        }
    }

    /**
     * A crash lost a running job's RUNNING record (written behind) but not the unit its acknowledged report wrote: after
     * the restart the job shows RUNNING, started when its first task was sent, not QUEUED (found by {@code RestartTest}).
     */
    @Test
    void restart_jobStoredQueuedWithAReportedUnit_loadsRunning() throws Exception {
        String job = completeAJob(Harness.primesSpec(2, 1000, 2, 1, 1, null));
        JobRecord completed;
        WorkUnit first;
        try (JdbcStore done = JdbcStore.h2(dir)) {
            completed = done.job(job).orElseThrow();
            first = done.unit(job, 0).orElseThrow();
        }
        JobRecord queued = beforeCompletion(completed, JobState.QUEUED);
        JdbcStore crashed = JdbcStore.h2(other);
        crashed.writeNow(new Store.Batch(List.of(first), List.of(), List.of(queued)));
        crashed.crash();

        coordinator = Coordinator.start(Harness.options(other));
        JsonNode view = Harness.job(coordinator.url(), job);

        assertThat(view.get("state").asText()).isEqualTo("RUNNING");
        assertThat(view.get("workUnits").get("done").asInt()).isEqualTo(1);
        assertThat(coordinator.jobs().find(job).orElseThrow().startedAt()).isEqualTo(first.tasks().get(0).sentAt());
    }

    /**
     * A coordinator crashed (deferred writes lost, journal left as a kill -9 leaves it) right after the job showed COMPLETED
     * and its result was read: after the restart the job is COMPLETED with that result, whether or not its record had
     * reached the disk.
     */
    @Test
    void crash_rightAfterTheJobShowedCompleted_restartShowsItCompletedWithTheResultThatWasRead() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        String job = Harness.submit(url, SPEC);
        runEveryTask(url, Harness.register(url, "w1", "primes"));
        Harness.awaitJob(url, job, "COMPLETED", Duration.ofSeconds(30));
        String read = Harness.call("GET", url + "/api/v1/jobs/" + job + "/result", null, null).body();
        coordinator.crash();

        coordinator = Coordinator.start(Harness.options(dir));
        url = coordinator.url();
        Harness.awaitJob(url, job, "COMPLETED", Duration.ofSeconds(30));
        assertThat(Harness.call("GET", url + "/api/v1/jobs/" + job + "/result", null, null).body()).isEqualTo(read);
        assertThat(Harness.get(url + "/api/v1/jobs/" + job + "/result").get("count").asInt()).isEqualTo(PRIMES);
    }

    /**
     * A coordinator crashed right after it issued a job's first task (the RUNNING record and the issued replica are written
     * behind, so both may be lost): after the restart the worker's acknowledged work, or its work again, completes the job.
     */
    @Test
    void crash_rightAfterTheFirstIssue_jobCompletesAfterTheRestart() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        String job = Harness.submit(url, SPEC);
        Harness.Registered w = Harness.register(url, "w1", "primes");
        JsonNode tasks = Harness.fetch(url, w.token(), 1).json().get("tasks");
        assertThat(tasks).hasSize(1);
        coordinator.crash();

        coordinator = Coordinator.start(Harness.options(dir));
        url = coordinator.url();
        report(url, w, tasks); // acknowledged, or refused if the issue was lost: then the task comes again
        runEveryTask(url, w);
        Harness.awaitJob(url, job, "COMPLETED", Duration.ofSeconds(30));
        assertThat(Harness.get(url + "/api/v1/jobs/" + job + "/result").get("count").asInt()).isEqualTo(PRIMES);
    }

    /** Runs a job of {@code spec} to COMPLETED on a coordinator over {@code dir}, then closes it; the job's id. */
    private String completeAJob(String spec) {
        coordinator = Coordinator.start(Harness.options(dir));
        String job = Harness.submit(coordinator.url(), spec);
        runEveryTask(coordinator.url(), Harness.register(coordinator.url(), "w1", "primes"));
        Harness.awaitJob(coordinator.url(), job, "COMPLETED", Duration.ofSeconds(30));
        coordinator.close();
        coordinator = null;
        return job;
    }

    /** The record of {@code completed} as it was stored in {@code state} (QUEUED: not started), before it completed. */
    private static JobRecord beforeCompletion(JobRecord completed, JobState state) {
        return new JobRecord(completed.id(), completed.name(), completed.app(), completed.spec(), completed.workUnits(),
                completed.priority(), state, completed.submittedAt(), state == JobState.QUEUED ? 0 : completed.startedAt(), 0,
                null, null, completed.version() - 1);
    }

    /** Fetches and reports until a fetch brings nothing. */
    private static void runEveryTask(String url, Harness.Registered w) {
        for (int i = 0; i < 10; i++) {
            JsonNode tasks = Harness.fetch(url, w.token(), 4).json().get("tasks");
            if (tasks.isEmpty()) {
                return;
            }
            report(url, w, tasks);
        }
        throw new AssertionError("the worker kept getting tasks");
    }

    private static void report(String url, Harness.Registered w, JsonNode tasks) {
        Map<String, byte[]> outputs = new java.util.LinkedHashMap<>();
        List<String> ids = new ArrayList<>();
        for (JsonNode t : tasks) {
            byte[] input = Base64.getDecoder().decode(t.get("input").asText());
            try {
                outputs.put(t.get("id").asText(), AppRegistry.builtIns().get("primes").run(input, RunContext.inMemory()));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            ids.add(t.get("id").asText());
        }
        Harness.Response r = Harness.report(url, w.token(), outputs);
        assertThat(r.status()).as("report of %s: %s", ids, r.body()).isEqualTo(200);
    }
}
