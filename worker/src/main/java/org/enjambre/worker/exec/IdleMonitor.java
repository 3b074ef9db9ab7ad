package org.enjambre.worker.exec;

import java.lang.management.ManagementFactory;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Decides whether the machine is idle enough for {@code --idle-only} workers to run.
 *
 * <p>Heuristic: the load from other programs is the operating system's one-minute load average
 * ({@link java.lang.management.OperatingSystemMXBean#getSystemLoadAverage()}) minus the task threads
 * this worker has busy right now. The machine counts as in use when that exceeds a quarter of its
 * processors, and at least 0.5. The load average lags by up to a minute, so a pause lasts a little
 * after the other program stops, which also damps flapping. Where the platform has no load average
 * (Windows), the machine always counts as idle and a warning says so once. The answer is sampled at
 * most once a second.
 *
 * <p>Thread-safe.
 */
public final class IdleMonitor {
    private static final Logger LOG = Logger.getLogger(IdleMonitor.class.getName());
    private static final long SAMPLE_NANOS = 1_000_000_000L;

    private final DoubleSupplier loadAverage;
    private final IntSupplier ownBusyThreads;
    private final double threshold;
    private final LongSupplier nanoTime;
    private volatile long sampledAt;
    private volatile boolean idle = true;
    private volatile boolean sampled;
    private volatile boolean warned;

    /**
     * @param loadAverage    the one-minute load average, negative when unknown
     * @param ownBusyThreads this worker's task threads running now
     * @param processors     the machine's processors
     */
    public IdleMonitor(DoubleSupplier loadAverage, IntSupplier ownBusyThreads, int processors, LongSupplier nanoTime) {
        this.loadAverage = loadAverage;
        this.ownBusyThreads = ownBusyThreads;
        this.threshold = Math.max(0.5, processors / 4.0);
        this.nanoTime = nanoTime;
    }

    /** A monitor of this machine. */
    public static IdleMonitor system(IntSupplier ownBusyThreads) {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return new IdleMonitor(os::getSystemLoadAverage, ownBusyThreads, os.getAvailableProcessors(), System::nanoTime);
    }

    /** Whether other programs leave the machine idle enough to run tasks. */
    public boolean machineIdle() {
        long now = nanoTime.getAsLong();
        if (sampled && now - sampledAt < SAMPLE_NANOS) {
            return idle;
        }
        double load = loadAverage.getAsDouble();
        if (load < 0) {
            if (!warned) {
                warned = true;
                LOG.warning("this platform reports no load average; --idle-only cannot tell when the machine is in use and runs always");
            }
            idle = true;
        } else {
            idle = otherLoad(load) <= threshold;
        }
        sampledAt = now;
        sampled = true;
        return idle;
    }

    /** The load attributed to other programs. */
    double otherLoad(double load) {
        return Math.max(0, load - ownBusyThreads.getAsInt());
    }

    /** The other-program load above which the machine counts as in use. */
    double threshold() {
        return threshold;
    }
}
