package org.enjambre.cli.e2e;

import org.enjambre.worker.Worker;
import org.enjambre.worker.WorkerOptions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.enjambre.cli.e2e.TestCoordinator.PATIENCE;

/**
 * A real worker while its real coordinator goes away: stopped and started again on the same data
 * directory and port, or started over on wiped storage. Each test has its own coordinator.
 */
class CoordinatorOutageTest {
    /**
     * Collatz over [1, 10^7) in two units; at a 5% CPU limit each takes several seconds even on a quiet machine, so the
     * coordinator can be stopped while they run.
     */
    private static final String COLLATZ = "{\"name\":\"collatz in two\",\"app\":\"collatz\",\"input\":{\"from\":1,\"to\":10000000},"
            + "\"workUnits\":2,\"redundancy\":{\"replicas\":1,\"quorum\":1}}";
    private static final String COLLATZ_RESULT = "{\"maxSteps\":685,\"argmax\":8400511}";

    @TempDir
    Path dir;
    TestCoordinator coordinator;
    final TestWorkers workers = new TestWorkers();

    @BeforeAll
    static void quickPolling() {
        Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
        Awaitility.setDefaultPollDelay(Duration.ZERO);
        Awaitility.setDefaultTimeout(PATIENCE);
    }

    @AfterAll
    static void resetPolling() {
        Awaitility.reset();
    }

    @AfterEach
    void cleanUp() {
        workers.close();
        if (coordinator != null) {
            coordinator.close();
        }
    }

    private WorkerOptions options() {
        return TestWorkers.options(dir.resolve("worker"), "patient", coordinator.url()).cores(2).cpuLimitPercent(5).build();
    }

    /**
     * Submits the two-unit job, starts a worker, and stops the coordinator as soon as the worker's journal holds both
     * units (at fetch time: waiting for both units' checkpoint files raced a unit that finished first on a quiet
     * machine, and the wait timed out).
     */
    private Worker workerWithTasksWhileTheCoordinatorGoesDown(String[] job) {
        coordinator = TestCoordinator.start(dir.resolve("coordinator"));
        job[0] = coordinator.submit(COLLATZ);
        Worker worker = workers.start(options());
        await().until(() -> TestWorkers.heldTasks(dir.resolve("worker")).size() == 2);
        coordinator.stop();
        return worker;
    }

    @Test
    void coordinatorDownForAWhile_theWorkerBacksOffRecovers_andLosesNoFinishedResult() {
        String[] job = new String[1];
        Worker worker = workerWithTasksWhileTheCoordinatorGoesDown(job);

        await().until(() -> worker.stats().done() == 2);
        await().until(() -> worker.stats().state() == Worker.State.BACKING_OFF);
        assertThat(worker.stats().outbox()).isEqualTo(2);
        assertThat(worker.stats().reported()).isZero();
        assertThat(worker.stats().problem()).contains("did not answer");
        // Finished results become durable within a report window, also while no coordinator answers.
        await().until(() -> TestWorkers.unreported(dir.resolve("worker")).size() == 2);

        coordinator.startAgain();
        coordinator.awaitJob(job[0], "COMPLETED");
        assertThat(coordinator.result(job[0])).isEqualTo(COLLATZ_RESULT);
        await().until(() -> worker.stats().outbox() == 0 && worker.stats().problem() == null);
        assertThat(worker.stats().reported()).isEqualTo(2);
        assertThat(worker.stats().state()).isEqualTo(Worker.State.WORKING);
        assertThat(TestWorkers.unreported(dir.resolve("worker"))).isEmpty();
        String id = worker.workerId().orElseThrow();
        assertThat(coordinator.units(job[0])).allSatisfy(u -> {
            assertThat(u.get("replicas")).hasSize(1);
            assertThat(u.at("/replicas/0/worker").asText()).isEqualTo(id);
            assertThat(u.at("/replicas/0/validate").asText()).isEqualTo("VALID");
        });
    }

    @Test
    void workerRestartedWhileTheCoordinatorWasDown_reportsItsOutbox_withoutRegisteringAgain() {
        String[] job = new String[1];
        Worker first = workerWithTasksWhileTheCoordinatorGoesDown(job);
        await().until(() -> first.stats().done() == 2);
        first.stop(Duration.ofSeconds(2)); // the final report fails: the results stay in the outbox
        assertThat(TestWorkers.unreported(dir.resolve("worker"))).hasSize(2);
        String id = first.workerId().orElseThrow();

        coordinator.startAgain();
        Worker second = workers.start(options());
        coordinator.awaitJob(job[0], "COMPLETED");
        assertThat(coordinator.result(job[0])).isEqualTo(COLLATZ_RESULT);
        await().until(() -> second.stats().reported() == 2 && second.stats().outbox() == 0);
        assertThat(second.stats().done()).as("reported from the outbox, not computed again").isZero();
        assertThat(second.workerId()).contains(id);
        assertThat(coordinator.workers()).singleElement().satisfies(w -> assertThat(w.get("id").asText()).isEqualTo(id));
    }

    @Test
    void coordinatorStartedOverOnWipedStorage_refusesTheOldToken_andTheWorkerRegistersAgain() {
        coordinator = TestCoordinator.start(dir.resolve("coordinator"));
        String before = coordinator.submit("{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":100000},\"workUnits\":2,"
                + "\"redundancy\":{\"replicas\":1,\"quorum\":1}}");
        WorkerOptions options = TestWorkers.options(dir.resolve("worker"), "orphan", coordinator.url()).build();
        Worker worker = workers.start(options);
        coordinator.awaitJob(before, "COMPLETED");
        String oldId = worker.workerId().orElseThrow();

        coordinator.stop();
        coordinator.startWiped(dir.resolve("wiped"));
        String after = coordinator.submit("{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":100000},\"workUnits\":2,"
                + "\"redundancy\":{\"replicas\":1,\"quorum\":1}}");
        coordinator.awaitJob(after, "COMPLETED");
        assertThat(coordinator.result(after)).isEqualTo("{\"count\":9592}");
        String newId = worker.workerId().orElseThrow();
        assertThat(newId).isNotEqualTo(oldId);
        assertThat(coordinator.workers()).singleElement().satisfies(w -> assertThat(w.get("id").asText()).isEqualTo(newId));
        assertThat(options.dataDir().resolve("identity.json")).content().contains("\"workerId\":\"" + newId + "\"");
    }
}
