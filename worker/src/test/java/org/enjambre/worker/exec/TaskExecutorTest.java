package org.enjambre.worker.exec;

import org.enjambre.worker.protocol.AssignedTask;
import org.enjambre.worker.store.CheckpointStore;
import org.enjambre.worker.store.DataDir;
import org.enjambre.worker.store.StoredTask;
import org.enjambre.worker.store.TaskJournal;
import org.enjambre.worker.testkit.CountingApp;
import org.enjambre.worker.testkit.FakeClock;
import org.enjambre.worker.testkit.LambdaApp;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.apps.NoopApp;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TaskExecutorTest {
    private static final Instant NOW = Instant.parse("2026-11-25T07:00:00Z");
    private static final long IN_AN_HOUR = NOW.plusSeconds(3600).toEpochMilli();

    @TempDir
    Path tmp;

    private final FakeClock clock = new FakeClock(NOW);
    private final Map<String, TaskExecutor.Outcome> outcomes = new ConcurrentHashMap<>();
    private DataDir dir;
    private TaskExecutor.Stores stores;
    private TaskExecutor executor;

    @BeforeAll
    static void pollOften() {
        Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
        Awaitility.setDefaultPollDelay(Duration.ZERO);
    }

    @AfterAll
    static void resetPolling() {
        Awaitility.reset();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (executor != null) {
            executor.shutdown(CancelReason.SHUTDOWN);
            executor.awaitTermination(Duration.ofSeconds(5));
        }
        if (stores != null) {
            stores.journal().close();
        }
        if (dir != null) {
            dir.close();
        }
    }

    private TaskExecutor open(AppRegistry apps, BlobSource blobs, IdleMonitor idle) throws IOException {
        dir = DataDir.open(tmp);
        stores = new TaskExecutor.Stores(TaskJournal.open(dir), new CheckpointStore(dir));
        executor = new TaskExecutor(new TaskExecutor.Config(2, 100, Duration.ZERO), apps, stores, blobs, Saboteur.none(),
                idle, clock, System::nanoTime, Throttle::system, (task, outcome, nanos) -> outcomes.put(task.id(), outcome));
        return executor;
    }

    private StoredTask store(String id, String app, byte[] input, long deadline, String blob) throws IOException {
        StoredTask task = new StoredTask(new AssignedTask(id, app, input, null, deadline, 1, blob), "w-1", clock.millis());
        stores.journal().accept(java.util.List.of(task));
        return task;
    }

    @Test
    void submit_noop_outputGoesToOutboxAndTaskIsForgotten() throws IOException {
        open(AppRegistry.of(new NoopApp()), BlobSource.NONE, null);
        assertThat(executor.submit(store("j/0/0", "noop", "7".getBytes(), IN_AN_HOUR, null))).isTrue();

        await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.get("j/0/0") == TaskExecutor.Outcome.DONE);
        assertThat(stores.journal().result("j/0/0").orElseThrow().output()).isEqualTo("7".getBytes());
        assertThat(stores.journal().holds("j/0/0")).isFalse();
        assertThat(executor.freeSlots()).isEqualTo(2);
    }

    @Test
    void checkpointingTask_stoppedForShutdown_resumesOnANewExecutorWithTheSameOutput() throws Exception {
        long n = 4000;
        CountingApp app = new CountingApp(200_000, 100); // ~0.8 s uninterrupted
        open(AppRegistry.of(app), BlobSource.NONE, null);
        executor.submit(store("j/1/0", "count", CountingApp.input(n), IN_AN_HOUR, null));
        await().atMost(Duration.ofSeconds(5)).until(() -> app.checkpoints() >= 3);

        executor.shutdown(CancelReason.SHUTDOWN); // the worker stops (or is killed) mid-task
        assertThat(executor.awaitTermination(Duration.ofSeconds(5))).isTrue();
        assertThat(outcomes.get("j/1/0")).isEqualTo(TaskExecutor.Outcome.INTERRUPTED);
        assertThat(stores.journal().holds("j/1/0")).isTrue();
        assertThat(stores.checkpoints().load("j/1/0")).isPresent();
        assertThat(stores.journal().results()).isZero();
        stores.journal().close();
        dir.close();
        outcomes.clear();

        CountingApp again = new CountingApp(0, 100);
        open(AppRegistry.of(again), BlobSource.NONE, null);
        for (StoredTask task : stores.journal().tasks()) {
            executor.submit(task);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.get("j/1/0") == TaskExecutor.Outcome.DONE);
        assertThat(again.starts()).hasSize(1);
        assertThat(again.starts().get(0)).isGreaterThanOrEqualTo(300).isLessThan(n);
        assertThat(stores.journal().result("j/1/0").orElseThrow().output()).isEqualTo(CountingApp.expected(n));
        assertThat(stores.checkpoints().load("j/1/0")).isEmpty();
    }

    @Test
    void deadlinePassingWhileRunning_dropsTheTask() throws IOException {
        CountingApp app = new CountingApp(1_000_000, 10);
        open(AppRegistry.of(app), BlobSource.NONE, null);
        executor.submit(store("j/2/0", "count", CountingApp.input(1_000_000), IN_AN_HOUR, null));
        await().atMost(Duration.ofSeconds(5)).until(() -> app.checkpoints() >= 1);

        clock.advance(Duration.ofHours(2));
        await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.get("j/2/0") == TaskExecutor.Outcome.DROPPED);
        assertThat(stores.journal().holds("j/2/0")).isFalse();
        assertThat(stores.checkpoints().load("j/2/0")).isEmpty();
        assertThat(stores.journal().results()).isZero();
    }

    @Test
    void deadlinePassedBeforeStart_isDroppedWithoutRunning() throws IOException {
        CountingApp app = new CountingApp(0, 10);
        open(AppRegistry.of(app), BlobSource.NONE, null);
        executor.submit(store("j/3/0", "count", CountingApp.input(10), NOW.minusSeconds(1).toEpochMilli(), null));
        await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.get("j/3/0") == TaskExecutor.Outcome.DROPPED);
        assertThat(app.starts()).isEmpty();
    }

    @Test
    void failingApp_reportsItsErrorInOneLine() throws IOException {
        App failing = new LambdaApp("fail", (input, context) -> {
            throw new IllegalStateException("boom\nsecond line");
        });
        open(AppRegistry.of(failing), BlobSource.NONE, null);
        executor.submit(store("j/4/0", "fail", new byte[0], IN_AN_HOUR, null));
        await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.get("j/4/0") == TaskExecutor.Outcome.FAILED);
        assertThat(stores.journal().result("j/4/0").orElseThrow().error()).isEqualTo("IllegalStateException: boom second line");
        assertThat(stores.journal().holds("j/4/0")).isFalse();
    }

    @Test
    void unknownApp_isReportedAsAnError() throws IOException {
        open(AppRegistry.of(new NoopApp()), BlobSource.NONE, null);
        executor.submit(store("j/5/0", "nope", new byte[0], IN_AN_HOUR, null));
        await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.get("j/5/0") == TaskExecutor.Outcome.FAILED);
        assertThat(stores.journal().result("j/5/0").orElseThrow().error()).isEqualTo("unknown app 'nope' (this worker runs: noop)");
    }

    @Test
    void submit_sameTaskTwice_runsItOnce() throws IOException {
        CountingApp app = new CountingApp(1_000_000, 10);
        open(AppRegistry.of(app), BlobSource.NONE, null);
        StoredTask task = store("j/6/0", "count", CountingApp.input(1_000_000), IN_AN_HOUR, null);
        assertThat(executor.submit(task)).isTrue();
        assertThat(executor.submit(task)).isFalse();
        assertThat(executor.occupied()).isEqualTo(1);
        assertThat(executor.freeSlots()).isEqualTo(1);
    }

    @Test
    void taskWithBlob_getsTheBlobThroughItsContext() throws IOException {
        App echoBlob = new LambdaApp("blob", (input, context) -> ((TaskContext) context).blob().orElseThrow());
        String sha = "ab".repeat(32);
        open(AppRegistry.of(echoBlob), s -> s.equals(sha) ? "module".getBytes(StandardCharsets.UTF_8) : null, null);
        executor.submit(store("j/7/0", "blob", new byte[0], IN_AN_HOUR, sha));
        await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.get("j/7/0") == TaskExecutor.Outcome.DONE);
        assertThat(stores.journal().result("j/7/0").orElseThrow().output()).isEqualTo("module".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void context_millisLeft_isTheTimeToTheTasksDeadline() throws IOException {
        // The wasm sandbox bounds a run by it, so an endless loop fails with a reason before the deadline.
        App left = new LambdaApp("left", (input, context) -> Long.toString(context.millisLeft()).getBytes(StandardCharsets.UTF_8));
        open(AppRegistry.of(left), BlobSource.NONE, null);
        executor.submit(store("j/8/0", "left", new byte[0], NOW.toEpochMilli() + 90_000, null));
        await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.get("j/8/0") == TaskExecutor.Outcome.DONE);
        assertThat(new String(stores.journal().result("j/8/0").orElseThrow().output(), StandardCharsets.UTF_8)).isEqualTo("90000");
    }

    @Test
    void idleOnly_taskPausesWhileTheMachineIsBusyAndGoesOnWhenIdle() throws IOException {
        double[] load = {0};
        AtomicLong ticks = new AtomicLong();
        // Each call to the fake ticker is a second later, so the monitor samples the load every time.
        IdleMonitor idle = new IdleMonitor(() -> load[0], () -> 0, 4, () -> ticks.addAndGet(1_000_000_000L));
        AtomicInteger steps = new AtomicInteger();
        AtomicBoolean finish = new AtomicBoolean();
        App spin = new LambdaApp("spin", (input, context) -> {
            while (!finish.get()) {
                context.checkCancelled();
                steps.incrementAndGet();
                LockSupport.parkNanos(1_000_000);
            }
            return "spun".getBytes(StandardCharsets.UTF_8);
        });
        open(AppRegistry.of(spin), BlobSource.NONE, idle);
        executor.submit(store("j/8/0", "spin", new byte[0], IN_AN_HOUR, null));
        await().atMost(Duration.ofSeconds(5)).until(() -> steps.get() > 0);

        load[0] = 8; // another program keeps the machine busy
        await().atMost(Duration.ofSeconds(5)).until(() -> executor.context("j/8/0").map(TaskContext::paused).orElse(false));
        assertThat(executor.busyThreads()).isZero();
        int pausedAt = steps.get();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> steps.get() == pausedAt);

        load[0] = 0;
        await().atMost(Duration.ofSeconds(5)).until(() -> steps.get() > pausedAt);
        finish.set(true);
        await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.get("j/8/0") == TaskExecutor.Outcome.DONE);
        assertThat(stores.journal().result("j/8/0").orElseThrow().output()).isEqualTo("spun".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void describe_boundsTheErrorText() {
        String text = TaskExecutor.describe(new RuntimeException("x".repeat(2000)));
        assertThat(text).hasSize(500).startsWith("RuntimeException: xxx").endsWith("…");
        assertThat(TaskExecutor.describe(new OutOfMemoryError())).isEqualTo("OutOfMemoryError");
    }
}
