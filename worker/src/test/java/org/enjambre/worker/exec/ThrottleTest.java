package org.enjambre.worker.exec;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ThrottleTest {
    private static final long MS = 1_000_000L;

    @Test
    void restNanos_isProportionalToTheTimeRun() {
        assertThat(Throttle.restNanos(100 * MS, 50)).isEqualTo(100 * MS);
        assertThat(Throttle.restNanos(100 * MS, 25)).isEqualTo(300 * MS);
        assertThat(Throttle.restNanos(100 * MS, 80)).isEqualTo(25 * MS);
        assertThat(Throttle.restNanos(100 * MS, 100)).isZero();
        assertThat(Throttle.restNanos(Long.MAX_VALUE / 2, 1)).isPositive();
    }

    /** A busy loop on a fake clock: each step costs 3 ms of work, then calls the hook. */
    private static double wallOverBusy(int limit) throws InterruptedException {
        AtomicLong now = new AtomicLong();
        Throttle throttle = new Throttle(limit, 100 * MS, now::get, now::addAndGet);
        long busy = 0;
        for (int step = 0; step < 2000; step++) {
            now.addAndGet(3 * MS);
            busy += 3 * MS;
            throttle.pace();
        }
        assertThat(throttle.restedNanos()).isEqualTo(now.get() - busy);
        return (double) now.get() / busy;
    }

    @Test
    void pace_onAFakeClock_keepsTheDutyCycle() throws InterruptedException {
        assertThat(wallOverBusy(100)).isEqualTo(1.0);
        assertThat(wallOverBusy(50)).isCloseTo(2.0, within(0.05));
        assertThat(wallOverBusy(25)).isCloseTo(4.0, within(0.1));
        assertThat(wallOverBusy(10)).isCloseTo(10.0, within(0.3));
    }

    @Test
    void pace_beforeASliceHasRun_doesNotRest() throws InterruptedException {
        AtomicLong now = new AtomicLong();
        AtomicLong slept = new AtomicLong();
        Throttle throttle = new Throttle(50, 100 * MS, now::get, slept::addAndGet);
        now.addAndGet(99 * MS);
        throttle.pace();
        assertThat(slept).hasValue(0);
        now.addAndGet(MS);
        throttle.pace();
        assertThat(slept).hasValue(100 * MS);
    }

    @Test
    void pace_onTheRealClock_stretchesABusyLoop() throws InterruptedException {
        Throttle throttle = Throttle.system(50);
        long busy = 0;
        long start = System.nanoTime();
        while (busy < 300 * MS) {
            long stepStart = System.nanoTime();
            while (System.nanoTime() - stepStart < 2 * MS) {
                Thread.onSpinWait();
            }
            busy += System.nanoTime() - stepStart;
            throttle.pace();
        }
        long wall = System.nanoTime() - start;
        assertThat((double) wall / busy).as("wall %d ms for %d ms busy", TimeUnit.NANOSECONDS.toMillis(wall),
                TimeUnit.NANOSECONDS.toMillis(busy)).isGreaterThanOrEqualTo(1.5);
    }

    @Test
    void newThrottle_outOfRange_isRefused() {
        assertThatThrownBy(() -> Throttle.system(0)).hasMessage("cpu limit must be between 1 and 100 percent, got 0");
    }
}
