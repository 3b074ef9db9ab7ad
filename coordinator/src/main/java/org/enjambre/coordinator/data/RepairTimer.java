package org.enjambre.coordinator.data;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * When re-replication passes ({@link DataService#repair}), each followed by a garbage pass
 * ({@link DataService#collectGarbage}), run: {@link #soon()} after a peer came or went, and every
 * {@link #PERIOD_MINUTES} minutes; one at a time, on a thread of their own (a pass may copy for minutes and must
 * not hold up the deadline timers).
 */
public final class RepairTimer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RepairTimer.class);
    static final long PERIOD_MINUTES = 10;
    private static final long SOON_SECONDS = 1;

    private final DataService data;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "enjambre-data-repair");
        t.setDaemon(true);
        return t;
    });
    /** Passes {@link #soon()} scheduled that have not finished yet. */
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean closed;

    public RepairTimer(DataService data) {
        this.data = data;
        thread.scheduleWithFixedDelay(this::run, PERIOD_MINUTES, PERIOD_MINUTES, TimeUnit.MINUTES);
    }

    /** A pass in a second (after the cluster's membership changed). */
    public void soon() {
        data.membershipChanged();
        try {
            if (!closed) {
                pending.incrementAndGet();
                thread.schedule(() -> {
                    try {
                        run();
                    } finally {
                        pending.decrementAndGet();
                    }
                }, SOON_SECONDS, TimeUnit.SECONDS);
            }
        } catch (RejectedExecutionException e) {
            pending.decrementAndGet(); // closing
        }
    }

    /** Whether every pass a membership change asked for has run (tests wait for it before they act). */
    public boolean settled() {
        return pending.get() == 0;
    }

    private void run() {
        try {
            if (!closed) {
                data.repair();
                data.collectGarbage();
            }
        } catch (Exception e) {
            if (!closed) {
                LOG.warn("re-replicating chunks failed", e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
    }
}
