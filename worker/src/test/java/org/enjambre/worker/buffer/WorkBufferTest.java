package org.enjambre.worker.buffer;

import org.enjambre.worker.protocol.AssignedTask;
import org.enjambre.worker.testkit.FakeClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkBufferTest {
    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
    private static final long SECOND = 1_000_000_000L;

    private final FakeClock clock = new FakeClock(NOW);
    private final AtomicLong ticker = new AtomicLong();
    private final RunTimeEstimates estimates = new RunTimeEstimates();

    private WorkBuffer buffer(int cores, int minSeconds, int maxSeconds) {
        return new WorkBuffer(new WorkBuffer.Settings(Duration.ofSeconds(minSeconds), Duration.ofSeconds(maxSeconds), 256, 1024),
                cores, estimates, clock, ticker::get);
    }

    private static AssignedTask task(String id, String app, double cost, long deadlineSecondsFromNow) {
        return new AssignedTask(id, app, new byte[0], null, NOW.plusSeconds(deadlineSecondsFromNow).toEpochMilli(), cost, null);
    }

    /** Runs {@code task} for {@code seconds} on the fake ticker, so the buffer learns its run time. */
    private void run(WorkBuffer buffer, AssignedTask task, double seconds) {
        buffer.add(task);
        buffer.started(task.id());
        ticker.addAndGet((long) (seconds * SECOND));
        buffer.finished(task.id(), true);
    }

    @Test
    void toFetch_knowingNothing_asksForOneTaskPerFreeCore() {
        WorkBuffer buffer = buffer(4, 60, 120);
        assertThat(buffer.toFetch()).isEqualTo(4);
        buffer.add(task("a", "collatz", 1, 600));
        assertThat(buffer.toFetch()).isEqualTo(3);
        buffer.add(task("b", "collatz", 1, 600));
        buffer.add(task("c", "collatz", 1, 600));
        buffer.add(task("d", "collatz", 1, 600));
        assertThat(buffer.toFetch()).isZero(); // unknown run times count as a full minimum each
    }

    @Test
    void toFetch_afterLearning_fillsUpToMaxSecondsPerCore() {
        WorkBuffer buffer = buffer(2, 60, 120);
        run(buffer, task("t0", "primes", 1, 600), 2.0); // 2 s per task
        // Nothing held: 2 cores x 120 s = 240 s of 2 s tasks.
        assertThat(buffer.toFetch()).isEqualTo(120);
        for (int i = 0; i < 50; i++) {
            buffer.add(task("p" + i, "primes", 1, 600));
        }
        assertThat(buffer.bufferedSeconds()).isEqualTo(100.0);
        assertThat(buffer.toFetch()).isEqualTo(70); // 100 s held < 120 s minimum: fill the 140 s gap
        for (int i = 50; i < 60; i++) {
            buffer.add(task("p" + i, "primes", 1, 600));
        }
        assertThat(buffer.toFetch()).isZero(); // 120 s held = 2 x 60 s minimum
    }

    @Test
    void toFetch_shortTasks_isCappedPerFetchAndInAll() {
        WorkBuffer buffer = buffer(2, 60, 120);
        run(buffer, task("n0", "noop", 1, 600), 0.0001);
        assertThat(buffer.toFetch()).isEqualTo(256);
        for (int i = 0; i < 768; i++) {
            buffer.add(task("n" + (i + 1), "noop", 1, 600));
        }
        assertThat(buffer.toFetch()).isEqualTo(256); // 1,024 held at most
        buffer.add(task("x", "noop", 1, 600));
        assertThat(buffer.toFetch()).isZero(); // no room for a whole fetch: no fetch of a few tasks
        buffer.finished("x", false);
        assertThat(buffer.toFetch()).isEqualTo(256);
    }

    @Test
    void estimates_scaleWithTheTasksCost_perApp() {
        WorkBuffer buffer = buffer(1, 60, 120);
        run(buffer, task("c0", "collatz", 2, 600), 4.0); // 2 s per unit of cost
        assertThat(estimates.estimate("collatz", 10)).hasValue(20.0);
        assertThat(estimates.estimate("primes", 10)).isEmpty();
        buffer.add(task("c1", "collatz", 10, 600));
        buffer.add(task("p1", "primes", 1, 600)); // unknown: counts as the 60 s minimum
        assertThat(buffer.bufferedSeconds()).isEqualTo(80.0);
        buffer.started("c1");
        ticker.addAndGet(5 * SECOND);
        assertThat(buffer.bufferedSeconds()).isEqualTo(75.0); // what is left of a running task
    }

    @Test
    void estimates_moveTowardsNewRunTimes() {
        WorkBuffer buffer = buffer(1, 60, 120);
        run(buffer, task("a", "primes", 0, 600), 10.0);
        run(buffer, task("b", "primes", 0, 600), 20.0);
        assertThat(estimates.estimate("primes", 0).getAsDouble()).isEqualTo(12.0);
        assertThat(estimates.typical()).hasValue(12.0);
    }

    @Test
    void cannotMeetDeadline_namesQueuedTasksAnEarliestDeadlineFirstScheduleWouldFinishLate() {
        WorkBuffer buffer = buffer(1, 60, 120);
        run(buffer, task("warm", "primes", 1, 600), 10.0); // 10 s per task
        buffer.add(task("late", "primes", 1, 25));   // third by deadline: would finish at 30 s
        buffer.add(task("first", "primes", 1, 15));  // 10 s
        buffer.add(task("second", "primes", 1, 20)); // 20 s
        buffer.add(task("roomy", "primes", 1, 100)); // after "late" is dropped: 30 s
        assertThat(buffer.cannotMeetDeadline()).containsExactly("late");
    }

    @Test
    void cannotMeetDeadline_countsWhatRunsNow_andSpreadsOverCores() {
        WorkBuffer buffer = buffer(2, 60, 120);
        run(buffer, task("warm", "primes", 1, 600), 10.0);
        buffer.add(task("running", "primes", 1, 600));
        buffer.started("running");
        buffer.add(task("a", "primes", 1, 12)); // on the free core: 10 s
        buffer.add(task("b", "primes", 1, 12)); // after "running": 20 s, late
        assertThat(buffer.cannotMeetDeadline()).containsExactly("b");
        ticker.addAndGet(9 * SECOND); // "running" has 1 s left, but the deadline clock has not moved
        assertThat(buffer.cannotMeetDeadline()).isEmpty();
    }

    @Test
    void cannotMeetDeadline_neverCondemnsATaskOfUnknownRunTime() {
        WorkBuffer buffer = buffer(1, 60, 120);
        buffer.add(task("u1", "mystery", 1, 1));
        buffer.add(task("u2", "mystery", 1, 1));
        assertThat(buffer.cannotMeetDeadline()).isEmpty();
    }

    @Test
    void settings_areChecked() {
        assertThatThrownBy(() -> new WorkBuffer.Settings(Duration.ofSeconds(10), Duration.ofSeconds(5), 256, 1024))
                .hasMessageContaining("0 <= min <= max");
        assertThatThrownBy(() -> new WorkBuffer.Settings(Duration.ZERO, Duration.ofSeconds(5), 300, 256))
                .hasMessageContaining("maxFetch <= maxHeld");
    }

    @Test
    void mayFetch_isFalseOnlyWhenTheCountAloneRulesAFetchOut() {
        WorkBuffer buffer = buffer(2, 60, 120);
        run(buffer, task("t0", "noop", 0, 600), 0.000_01); // tiny tasks: the count binds, not the time
        for (int i = 0; i < 1024; i++) {
            assertThat(buffer.mayFetch()).as("held %d", i).isEqualTo(i < 2 || 1024 - i >= 256);
            if (!buffer.mayFetch()) {
                assertThat(buffer.toFetch()).as("held %d", i).isZero();
            }
            buffer.add(task("q" + i, "noop", 0, 600));
        }
        assertThat(buffer.mayFetch()).as("full").isFalse();
        assertThat(buffer.toFetch()).isZero();
        for (int i = 1023; i >= 768; i--) {
            buffer.finished("q" + i, false);
        }
        assertThat(buffer.mayFetch()).as("a whole fetch fits again").isTrue();
        assertThat(buffer.toFetch()).isEqualTo(256);
    }
}
