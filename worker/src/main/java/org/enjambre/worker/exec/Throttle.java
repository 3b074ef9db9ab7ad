package org.enjambre.worker.exec;

import java.util.function.LongSupplier;

/**
 * Duty-cycle CPU throttling, like BOINC's {@code cpu_usage_limit}: a task thread at a limit of
 * {@code L} percent that has run for {@code t} since it last rested sleeps {@code t·(100−L)/L} at
 * its next hook (progress, checkpoint, cancellation check), so that over time it runs at most
 * {@code L}% of the wall clock. Rests happen once at least one slice has run, so short runs between
 * hooks do not turn into many tiny sleeps. An app that never calls a hook is not throttled.
 *
 * <p>One instance per task thread; not thread-safe.
 */
public final class Throttle {
    /** Sleeps for a number of nanoseconds; a test passes a fake one that advances a fake clock. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(long nanos) throws InterruptedException;

        Sleeper THREAD = nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    }

    /** The default slice: run at least this long before resting. */
    public static final long DEFAULT_SLICE_NANOS = 100_000_000L;

    private final int limitPercent;
    private final long sliceNanos;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private long resumedAt;
    private long restedNanos;

    public Throttle(int limitPercent, long sliceNanos, LongSupplier nanoTime, Sleeper sleeper) {
        if (limitPercent < 1 || limitPercent > 100) {
            throw new IllegalArgumentException("cpu limit must be between 1 and 100 percent, got " + limitPercent);
        }
        this.limitPercent = limitPercent;
        this.sliceNanos = sliceNanos;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.resumedAt = nanoTime.getAsLong();
    }

    /** A throttle on the real clock. */
    public static Throttle system(int limitPercent) {
        return new Throttle(limitPercent, DEFAULT_SLICE_NANOS, System::nanoTime, Sleeper.THREAD);
    }

    /** How long to rest after running {@code busyNanos} at {@code limitPercent}. A pure function. */
    public static long restNanos(long busyNanos, int limitPercent) {
        if (limitPercent >= 100 || busyNanos <= 0) {
            return 0;
        }
        return (long) Math.min(Long.MAX_VALUE, busyNanos * ((100.0 - limitPercent) / limitPercent));
    }

    /** Called from the task's hooks: rests when the thread has run a slice or more since its last rest. */
    public void pace() throws InterruptedException {
        if (limitPercent >= 100) {
            return;
        }
        long busy = nanoTime.getAsLong() - resumedAt;
        if (busy < sliceNanos) {
            return;
        }
        long rest = restNanos(busy, limitPercent);
        try {
            sleeper.sleep(rest);
            restedNanos += rest;
        } finally {
            resumedAt = nanoTime.getAsLong();
        }
    }

    /** Starts a new busy period now, e.g. after the task was paused for another reason. */
    public void restart() {
        resumedAt = nanoTime.getAsLong();
    }

    /** The total time this throttle made its thread rest. */
    public long restedNanos() {
        return restedNanos;
    }
}
