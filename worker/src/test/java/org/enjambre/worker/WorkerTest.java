package org.enjambre.worker;

import org.enjambre.worker.store.DataDir;
import org.enjambre.worker.testkit.CountingApp;
import org.enjambre.worker.testkit.FakeClock;
import org.enjambre.worker.testkit.FakeCoordinator;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.apps.NoopApp;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A worker in this JVM against a fake coordinator on 127.0.0.1, with real files and real threads. */
class WorkerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private FakeCoordinator coordinator;
    private final List<Worker> workers = new ArrayList<>();

    @BeforeAll
    static void pollOften() {
        Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
        Awaitility.setDefaultPollDelay(Duration.ZERO);
    }

    @AfterAll
    static void resetPolling() {
        Awaitility.reset();
    }

    @BeforeEach
    void startCoordinator() throws IOException {
        coordinator = FakeCoordinator.start();
    }

    @AfterEach
    void tearDown() {
        workers.forEach(Worker::abort);
        coordinator.close();
    }

    private WorkerOptions.Builder options(String... urls) {
        return WorkerOptions.builder(urls.length == 0 ? new String[] {coordinator.url()} : urls)
                .cores(2).dataDir(dir).name("test-worker")
                .fetchWait(Duration.ofMillis(200))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .checkpointInterval(Duration.ofMillis(50));
    }

    private Worker start(WorkerOptions options, AppRegistry apps, Clock clock) throws IOException {
        Worker worker = new Worker(options, apps, clock);
        workers.add(worker);
        worker.start();
        return worker;
    }

    private Worker start(WorkerOptions options) throws IOException {
        return start(options, AppRegistry.of(new NoopApp(), new CountingApp(0, 100)), Clock.systemUTC());
    }

    private static long inAnHour() {
        return System.currentTimeMillis() + 3_600_000;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static long files(Path directory) throws IOException {
        try (Stream<Path> list = Files.list(directory)) {
            return list.count();
        }
    }

    @Test
    void registersOnce_runsAndReportsTasks_restartKeepsItsIdentity() throws IOException {
        for (int i = 0; i < 5; i++) {
            coordinator.addTask("j-1/" + i + "/0", "noop", ascii(Integer.toString(i)), inAnHour(), null);
        }
        Worker worker = start(options().build());

        await().atMost(WAIT).until(() -> coordinator.outputs().size() == 5);
        assertThat(coordinator.outputs().get("j-1/3/0")).isEqualTo(ascii("3"));
        await().atMost(WAIT).until(() -> worker.stats().reported() == 5 && worker.stats().outbox() == 0
                && worker.stats().done() == 5);
        assertThat(worker.workerId()).contains("w-1");
        assertThat(dir.resolve("identity.json")).content().contains("\"workerId\":\"w-1\"");
        assertThat(files(dir.resolve("tasks"))).isZero();
        assertThat(worker.stop(Duration.ofSeconds(5))).isTrue();
        assertThat(worker.stats().state()).isEqualTo(Worker.State.STOPPED);

        int calls = coordinator.requests().size();
        Worker again = start(options().build());
        // The stopped worker's long-poll may still wait in the coordinator; add work once it has expired.
        await().atMost(WAIT).until(() -> coordinator.requests().subList(calls, coordinator.requests().size()).stream()
                .filter("POST /api/v1/work/fetch"::equals).count() >= 2);
        coordinator.addTask("j-1/5/0", "noop", ascii("5"), inAnHour(), null);
        await().atMost(WAIT).until(() -> coordinator.outputs().containsKey("j-1/5/0"));
        assertThat(again.workerId()).contains("w-1");
        assertThat(coordinator.registrations()).isEqualTo(1);
        assertThat(coordinator.requests().subList(calls, coordinator.requests().size())).doesNotContain("POST /api/v1/workers/register");
        await().atMost(WAIT).until(() -> again.stats().credit().isPresent());
        assertThat(again.stats().credit().getAsDouble()).isEqualTo(12.5);
    }

    @Test
    void firstCoordinatorDown_usesTheSecond() throws IOException {
        coordinator.addTask("j-2/0/0", "noop", ascii("0"), inAnHour(), null);
        Worker worker = start(options(FakeCoordinator.deadUrl(), coordinator.url()).build());

        await().atMost(WAIT).until(() -> coordinator.outputs().containsKey("j-2/0/0"));
        assertThat(worker.stats().coordinator()).isEqualTo(coordinator.uri());
    }

    @Test
    void coordinatorUnreachableForAWhile_workerBacksOffRecoversAndLosesNoResult() throws IOException {
        for (int i = 0; i < 2; i++) {
            coordinator.addTask("j-3/" + i + "/0", "count", CountingApp.input(200_000), inAnHour(), null);
        }
        Worker worker = start(options().build());
        await().atMost(WAIT).until(() -> coordinator.queued() == 0);
        coordinator.down(503, null);

        await().atMost(WAIT).until(() -> worker.stats().done() == 2);
        await().atMost(WAIT).until(() -> worker.stats().state() == Worker.State.BACKING_OFF);
        assertThat(worker.stats().outbox()).isEqualTo(2);
        assertThat(worker.stats().problem()).contains("answered 503");
        assertThat(files(dir.resolve("outbox"))).isEqualTo(2);

        coordinator.up();
        await().atMost(WAIT).until(() -> coordinator.outputs().size() == 2);
        assertThat(coordinator.outputs().get("j-3/1/0")).isEqualTo(CountingApp.expected(200_000));
        await().atMost(WAIT).until(() -> worker.stats().outbox() == 0 && worker.stats().problem() == null);
        assertThat(worker.stats().state()).isEqualTo(Worker.State.WORKING);
        assertThat(files(dir.resolve("outbox"))).isZero();
    }

    @Test
    void tooManyRequests_honoursRetryAfter() throws IOException {
        coordinator.down(429, "1");
        Worker worker = start(options().build());
        await().atMost(WAIT).until(() -> worker.stats().state() == Worker.State.BACKING_OFF);
        int calls = coordinator.requests().size();
        // With a 20 ms minimum backoff the worker would call again at once; Retry-After: 1 holds it back.
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2))
                .until(() -> coordinator.requests().size() <= calls + 1);
        coordinator.up();
        coordinator.addTask("j-4/0/0", "noop", ascii("0"), inAnHour(), null);
        await().atMost(WAIT).until(() -> coordinator.outputs().containsKey("j-4/0/0"));
    }

    @Test
    void wipedCoordinator_answers401_workerRegistersAgain() throws IOException {
        coordinator.addTask("j-5/0/0", "noop", ascii("0"), inAnHour(), null);
        Worker worker = start(options().build());
        await().atMost(WAIT).until(() -> coordinator.outputs().containsKey("j-5/0/0"));

        coordinator.forgetTokens();
        await().atMost(WAIT).until(() -> coordinator.registrations() == 2);
        coordinator.addTask("j-5/1/0", "noop", ascii("1"), inAnHour(), null);
        await().atMost(WAIT).until(() -> coordinator.outputs().containsKey("j-5/1/0"));
        assertThat(coordinator.registrations()).isEqualTo(2);
        assertThat(worker.workerId()).contains("w-2");
        assertThat(dir.resolve("identity.json")).content().contains("\"workerId\":\"w-2\"");
    }

    @Test
    void restart_reportsTheOutboxFirst() throws IOException {
        for (int i = 0; i < 2; i++) {
            coordinator.addTask("j-6/" + i + "/0", "count", CountingApp.input(100_000), inAnHour(), null);
        }
        Worker first = start(options().build());
        await().atMost(WAIT).until(() -> coordinator.queued() == 0);
        coordinator.down(503, null);
        await().atMost(WAIT).until(() -> first.stats().done() == 2);
        first.stop(Duration.ofSeconds(2));
        assertThat(files(dir.resolve("outbox"))).isEqualTo(2);

        coordinator.up();
        int calls = coordinator.requests().size();
        Worker second = start(options().build());
        await().atMost(WAIT).until(() -> coordinator.outputs().size() == 2);
        List<String> after = coordinator.requests().subList(calls, coordinator.requests().size());
        assertThat(after.get(0)).isEqualTo("POST /api/v1/work/report");
        await().atMost(WAIT).until(() -> second.stats().reported() == 2 && second.stats().outbox() == 0);
        assertThat(coordinator.outputs().get("j-6/1/0")).isEqualTo(CountingApp.expected(100_000));
    }

    @Test
    void killedMidTask_restartResumesFromItsCheckpoint_andReportsTheSameOutput() throws IOException {
        long n = 3000;
        CountingApp slow = new CountingApp(300_000, 100);
        coordinator.addTask("j-7/0/0", "count", CountingApp.input(n), inAnHour(), null);
        Worker first = start(options().build(), AppRegistry.of(slow), Clock.systemUTC());
        await().atMost(WAIT).until(() -> slow.checkpoints() >= 3);
        first.abort(); // like kill -9: nothing more is written or reported
        assertThat(files(dir.resolve("tasks"))).isEqualTo(1);
        assertThat(files(dir.resolve("checkpoints"))).isEqualTo(1);
        assertThat(coordinator.outputs()).isEmpty();

        CountingApp fast = new CountingApp(0, 100);
        Worker second = start(options().build(), AppRegistry.of(fast), Clock.systemUTC());
        await().atMost(WAIT).until(() -> coordinator.outputs().containsKey("j-7/0/0"));
        assertThat(coordinator.outputs().get("j-7/0/0")).isEqualTo(CountingApp.expected(n));
        assertThat(fast.starts()).singleElement().satisfies(start -> assertThat(start).isGreaterThanOrEqualTo(300L));
        await().atMost(WAIT).until(() -> second.stats().done() == 1);
        await().atMost(WAIT).until(() -> files(dir.resolve("checkpoints")) == 0 && files(dir.resolve("tasks")) == 0);
    }

    @Test
    void restartAfterTheDeadline_dropsTheTask() throws IOException {
        FakeClock clock = new FakeClock(Instant.now());
        CountingApp slow = new CountingApp(300_000, 100);
        coordinator.addTask("j-8/0/0", "count", CountingApp.input(1_000_000), clock.millis() + 3_600_000, null);
        Worker first = start(options().build(), AppRegistry.of(slow), clock);
        await().atMost(WAIT).until(() -> slow.checkpoints() >= 1);
        first.abort();

        clock.advance(Duration.ofHours(2));
        CountingApp fresh = new CountingApp(0, 100);
        Worker second = start(options().build(), AppRegistry.of(fresh), clock);
        assertThat(second.stats().dropped()).isEqualTo(1);
        assertThat(files(dir.resolve("tasks"))).isZero();
        assertThat(files(dir.resolve("checkpoints"))).isZero();
        int calls = coordinator.requests().size();
        await().atMost(WAIT).until(() -> coordinator.requests().size() > calls + 1);
        assertThat(fresh.starts()).isEmpty();
        assertThat(coordinator.outputs()).isEmpty();
        assertThat(coordinator.errors()).isEmpty();
    }

    @Test
    void stop_cancelsRunningTasksKeepsTheirCheckpointsAndIsQuick() throws IOException {
        CountingApp slow = new CountingApp(300_000, 100);
        coordinator.addTask("j-9/0/0", "count", CountingApp.input(1_000_000), inAnHour(), null);
        coordinator.addTask("j-9/1/0", "noop", ascii("1"), inAnHour(), null);
        Worker worker = start(options().build(), AppRegistry.of(slow, new NoopApp()), Clock.systemUTC());
        await().atMost(WAIT).until(() -> slow.checkpoints() >= 2 && coordinator.outputs().containsKey("j-9/1/0"));

        long begin = System.nanoTime();
        assertThat(worker.stop(Duration.ofSeconds(5))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(3));
        assertThat(worker.stats().state()).isEqualTo(Worker.State.STOPPED);
        assertThat(worker.stats().running()).isZero();
        assertThat(files(dir.resolve("tasks"))).isEqualTo(1);
        assertThat(files(dir.resolve("checkpoints"))).isEqualTo(1);
        DataDir.open(dir).close(); // the lock is released
    }

    @Test
    void stop_withTheCoordinatorDown_keepsFinishedResultsForTheNextStart() throws IOException {
        coordinator.addTask("j-10/0/0", "noop", ascii("0"), inAnHour(), null);
        coordinator.down(503, null);
        Worker worker = start(options().build());
        await().atMost(WAIT).until(() -> worker.stats().state() == Worker.State.BACKING_OFF);
        long begin = System.nanoTime();
        worker.stop(Duration.ofSeconds(3));
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(4));
        assertThat(worker.stats().state()).isEqualTo(Worker.State.STOPPED);
    }

    @Test
    void colludingSaboteur_reportsTheWrongOutput() throws IOException {
        coordinator.addTask("j-11/0/0", "noop", ascii("41"), inAnHour(), null);
        start(options().sabotage(new Sabotage(1, true)).build());
        await().atMost(WAIT).until(() -> coordinator.outputs().containsKey("j-11/0/0"));
        assertThat(coordinator.outputs().get("j-11/0/0")).isEqualTo(ascii("42"));
    }

    @Test
    void malformedTask_isReportedAsAnError() throws IOException {
        coordinator.addTask("j-12/0/0", "", ascii("0"), inAnHour(), null);
        start(options().build());
        await().atMost(WAIT).until(() -> coordinator.errors().containsKey("j-12/0/0"));
        assertThat(coordinator.errors().get("j-12/0/0")).isEqualTo("malformed task: task j-12/0/0 names no app");
    }

    @Test
    void taskWithABlob_downloadsAndVerifiesIt() throws IOException {
        byte[] module = ascii("(module)");
        String sha = org.enjambre.worker.store.FileNames.sha256Hex(module);
        coordinator.addBlob(sha, module);
        coordinator.addTask("j-13/0/0", "noop", ascii("0"), inAnHour(), sha);
        coordinator.addTask("j-13/1/0", "noop", ascii("1"), inAnHour(), "f".repeat(64));
        start(options().build());
        await().atMost(WAIT).until(() -> coordinator.outputs().containsKey("j-13/0/0") && coordinator.errors().containsKey("j-13/1/0"));
        assertThat(dir.resolve("blobs").resolve(sha)).hasBinaryContent(module);
        assertThat(coordinator.errors().get("j-13/1/0")).startsWith("IllegalStateException: blob " + "f".repeat(64) + " is not available");
    }

    @Test
    void secondWorkerOnTheSameDataDir_cannotStart() throws IOException {
        start(options().build());
        Worker second = new Worker(options().build());
        assertThatThrownBy(second::start).isInstanceOf(IOException.class).hasMessageContaining("is in use by another worker");
        assertThat(second.stats().state()).isEqualTo(Worker.State.FAILED);
        assertThat(second.stop(Duration.ofSeconds(1))).isTrue();
        assertThat(second.stats().state()).isEqualTo(Worker.State.FAILED);
    }

    @Test
    void start_twice_isRefused() throws IOException {
        Worker worker = start(options().build());
        assertThatThrownBy(worker::start).isInstanceOf(IllegalStateException.class).hasMessage("a worker starts once; this one is working");
    }

    @Test
    void statusLine_saysWhatTheWorkerDoes() {
        WorkerStats stats = new WorkerStats(Worker.State.WORKING, "w-1", coordinator.uri(), 3, 2, 40, 1, 0, 39, 0, 1,
                java.util.OptionalDouble.of(12.25), null);
        assertThat(stats.statusLine()).isEqualTo("w-1 working | running 2/3 | done 40 | failed 1 | to report 1 | credit 12.3 | "
                + coordinator.url());
    }
}
