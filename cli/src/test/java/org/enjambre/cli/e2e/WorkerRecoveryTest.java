package org.enjambre.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.worker.Sabotage;
import org.enjambre.worker.Worker;
import org.enjambre.worker.WorkerOptions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.enjambre.cli.e2e.TestCoordinator.PATIENCE;
import static org.enjambre.cli.e2e.TestWorkers.files;

/**
 * Real workers against one real coordinator: killed, stopped and restarted on their data directory,
 * with two coordinator URLs, and outvoted when they cheat. The coordinator is shared by the class;
 * every test cancels what it left unfinished.
 */
class WorkerRecoveryTest {
    /** Collatz over [1, 10^7) in one unit: about two seconds of one core, checkpointing every 50 ms. */
    private static final String LONG_COLLATZ = "{\"name\":\"long collatz\",\"app\":\"collatz\",\"input\":{\"from\":1,\"to\":10000000},"
            + "\"workUnits\":1,\"redundancy\":{\"replicas\":1,\"quorum\":1}}";
    /** The known answer below ten million. */
    private static final String LONG_COLLATZ_RESULT = "{\"maxSteps\":685,\"argmax\":8400511}";

    @TempDir
    static Path shared;
    static TestCoordinator coordinator;

    @TempDir
    Path dir;
    final TestWorkers workers = new TestWorkers();

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
        workers.close();
        coordinator.cancelUnfinished();
    }

    private WorkerOptions.Builder options(String name) {
        return TestWorkers.options(dir.resolve(name), name, coordinator.url());
    }

    /** The {@code next} number of the unit's checkpoint in a worker's data directory, if there is one now. */
    private static Optional<Long> checkpointedNext(Path dataDir) {
        for (Path file : files(dataDir, "checkpoints")) {
            try {
                JsonNode state = TestCoordinator.JSON.readTree(Files.readAllBytes(file));
                return Optional.of(state.get("next").asLong());
            } catch (NoSuchFileException e) {
                return Optional.empty(); // the task just finished
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Optional.empty();
    }

    private static JsonNode onlyReplica(JsonNode unit) {
        assertThat(unit.get("replicas")).as("replicas of %s", unit).hasSize(1);
        return unit.get("replicas").get(0);
    }

    @Test
    void killedMidTask_restartedOnTheSameDataDir_resumesFromItsCheckpointAndTheJobCompletes() {
        WorkerOptions options = options("resumer").build();
        Path data = options.dataDir();
        String job = coordinator.submit(LONG_COLLATZ);
        Worker first = workers.start(options);

        long[] saved = new long[1];
        await().until(() -> {
            saved[0] = checkpointedNext(data).orElse(0L);
            return saved[0] >= 2_000_000;
        });
        first.abort(); // like kill -9: nothing more is written or reported
        String workerId = first.workerId().orElseThrow();
        long checkpointAtKill = checkpointedNext(data).orElseThrow();
        assertThat(checkpointAtKill).isGreaterThanOrEqualTo(saved[0]).isLessThan(10_000_000);
        assertThat(TestWorkers.heldTasks(data)).hasSize(1);
        assertThat(coordinator.job(job).get("state").asText()).isEqualTo("RUNNING");
        assertThat(onlyReplica(coordinator.units(job).get(0)).get("state").asText()).isEqualTo("IN_PROGRESS");

        Worker second = workers.start(options);
        // Every checkpoint the resumed run writes lies beyond the one it resumed from; a run that
        // started over would write one below it within 50 ms.
        List<Long> seen = new CopyOnWriteArrayList<>();
        await().until(() -> {
            checkpointedNext(data).ifPresent(seen::add);
            return coordinator.job(job).get("state").asText().equals("COMPLETED");
        });
        assertThat(coordinator.result(job)).isEqualTo(LONG_COLLATZ_RESULT);
        assertThat(seen).isNotEmpty().allSatisfy(next -> assertThat(next).isGreaterThanOrEqualTo(checkpointAtKill));
        // The same worker (it keeps its identity) finished its own replica: nothing was reissued.
        assertThat(second.workerId()).contains(workerId);
        JsonNode replica = onlyReplica(coordinator.units(job).get(0));
        assertThat(replica.get("worker").asText()).isEqualTo(workerId);
        assertThat(replica.get("outcome").asText()).isEqualTo("SUCCESS");
        assertThat(replica.get("validate").asText()).isEqualTo("VALID");
        await().until(() -> second.stats().done() == 1 && second.stats().outbox() == 0);
        assertThat(TestWorkers.heldTasks(data)).isEmpty();
        assertThat(files(data, "checkpoints")).isEmpty();
    }

    @Test
    void stop_isQuickAndKeepsTheCheckpoint_andTheNextStartFinishesTheTask() {
        WorkerOptions options = options("stopper").build();
        Path data = options.dataDir();
        String job = coordinator.submit(LONG_COLLATZ);
        Worker worker = workers.start(options);
        await().until(() -> checkpointedNext(data).isPresent());

        long begin = System.nanoTime();
        assertThat(worker.stop(Duration.ofSeconds(5))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(3));
        assertThat(worker.stats().state()).isEqualTo(Worker.State.STOPPED);
        assertThat(worker.stats().running()).isZero();
        assertThat(TestWorkers.heldTasks(data)).hasSize(1);
        assertThat(files(data, "checkpoints")).hasSize(1);

        Worker again = workers.start(options); // the data directory was released
        assertThat(coordinator.awaitJob(job, "COMPLETED").at("/workUnits/done").asInt()).isEqualTo(1);
        assertThat(coordinator.result(job)).isEqualTo(LONG_COLLATZ_RESULT);
        assertThat(onlyReplica(coordinator.units(job).get(0)).get("worker").asText()).isEqualTo(again.workerId().orElseThrow());
    }

    @Test
    void restartAfterTheDeadline_dropsTheTaskWithoutReportingIt() {
        MutableClock clock = new MutableClock(Instant.now());
        WorkerOptions options = options("late").build();
        Path data = options.dataDir();
        String job = coordinator.submit(LONG_COLLATZ);
        Worker first = workers.start(options, Worker.defaultApps(options), clock);
        await().until(() -> checkpointedNext(data).isPresent());
        first.abort();

        clock.advance(Duration.ofHours(1)); // past the task's deadline of ten minutes
        Worker second = workers.start(options, Worker.defaultApps(options), clock);
        assertThat(second.stats().dropped()).isEqualTo(1);
        assertThat(TestWorkers.heldTasks(data)).isEmpty();
        assertThat(files(data, "checkpoints")).isEmpty();
        assertThat(TestWorkers.unreported(data)).isEmpty();
        JsonNode replica = onlyReplica(coordinator.units(job).get(0));
        assertThat(replica.get("state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(replica.get("worker").asText()).isEqualTo(second.workerId().orElseThrow());
    }

    @Test
    void restart_keepsItsIdentity_andDoesNotRegisterAgain() {
        WorkerOptions options = options("keeper").build();
        String first = coordinator.submit("{\"app\":\"noop\",\"input\":{\"n\":1},\"workUnits\":3,\"redundancy\":{\"replicas\":1,\"quorum\":1}}");
        Worker worker = workers.start(options);
        coordinator.awaitJob(first, "COMPLETED");
        String id = worker.workerId().orElseThrow();
        assertThat(worker.stop(Duration.ofSeconds(5))).isTrue();
        int known = coordinator.workers().size();
        assertThat(options.dataDir().resolve("identity.json")).content().contains("\"workerId\":\"" + id + "\"");

        Worker again = workers.start(options);
        String second = coordinator.submit("{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":1000000},\"workUnits\":3,"
                + "\"redundancy\":{\"replicas\":1,\"quorum\":1}}");
        coordinator.awaitJob(second, "COMPLETED");
        assertThat(again.workerId()).contains(id);
        assertThat(coordinator.workers()).hasSize(known);
        assertThat(coordinator.units(second)).allSatisfy(u -> assertThat(onlyReplica(u).get("worker").asText()).isEqualTo(id));
        JsonNode view = coordinator.worker(id);
        assertThat(view.get("valid").asInt()).isEqualTo(6);
        assertThat(coordinator.result(second)).isEqualTo("{\"count\":78498}");
        // The worker shows the credit the coordinator gave it.
        await().until(() -> again.stats().credit().isPresent());
        assertThat(again.stats().credit().getAsDouble()).isPositive()
                .isLessThanOrEqualTo(coordinator.worker(id).get("credit").asDouble());
    }

    @Test
    void firstCoordinatorUrlDown_theWorkerUsesTheSecond() {
        String dead = TestCoordinator.deadUrl();
        WorkerOptions options = TestWorkers.options(dir.resolve("failover"), "failover", dead, coordinator.url()).build();
        String job = coordinator.submit("{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":100000},\"workUnits\":4,"
                + "\"redundancy\":{\"replicas\":1,\"quorum\":1}}");
        Worker worker = workers.start(options);
        coordinator.awaitJob(job, "COMPLETED");
        assertThat(coordinator.result(job)).isEqualTo("{\"count\":9592}");
        String id = worker.workerId().orElseThrow();
        assertThat(coordinator.units(job)).allSatisfy(u -> assertThat(onlyReplica(u).get("worker").asText()).isEqualTo(id));
        assertThat(worker.stats().coordinator()).isEqualTo(URI.create(coordinator.url()));
    }

    @Test
    void aSaboteur_isOutvotedByHonestWorkers_andTheResultIsRight() {
        String job = coordinator.submit("{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":100000},\"workUnits\":6,"
                + "\"redundancy\":{\"replicas\":2,\"quorum\":2}}");
        Worker saboteur = workers.start(options("saboteur").sabotage(new Sabotage(1, true)).build());
        Worker honest = workers.start(options("honest-1").build());
        // With two workers, each unit's two replicas go one to each of them.
        await().until(() -> coordinator.job(job).at("/tasks/reported").asInt() == 12);
        Worker tieBreaker = workers.start(options("honest-2").build());
        coordinator.awaitJob(job, "COMPLETED");
        assertThat(coordinator.result(job)).isEqualTo("{\"count\":9592}");

        String bad = saboteur.workerId().orElseThrow();
        for (JsonNode unit : coordinator.units(job)) {
            assertThat(unit.get("state").asText()).isEqualTo("DONE");
            for (JsonNode replica : unit.get("replicas")) {
                String expected = replica.get("worker").asText().equals(bad) ? "INVALID" : "VALID";
                assertThat(replica.get("validate").asText()).as("%s", unit).isEqualTo(expected);
            }
        }
        assertThat(coordinator.worker(bad).get("invalid").asInt()).isEqualTo(6);
        assertThat(coordinator.worker(bad).get("valid").asInt()).isZero();
        assertThat(coordinator.worker(honest.workerId().orElseThrow()).get("valid").asInt()).isEqualTo(6);
        assertThat(coordinator.worker(tieBreaker.workerId().orElseThrow()).get("valid").asInt()).isEqualTo(6);
    }

    /** A clock a test moves by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
