package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.jobs.JobSpecs;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.VisitOutlook;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sizes a browser's fetch to its visit (issue 18): a unit goes to it only when its expected run time on it (the
 * app's {@code cost} over the browser's speed) fits in what is left of its expected visit
 * ({@link VisitOutlook#remainingMillis()}), and a fetch takes no more work than its task slots (one per unit, the
 * page runs them side by side: {@code min(cores, max)}) can finish in that time.
 *
 * <p>A unit too long for the visit is refused to browsers, so that JVM workers take it, until it has been refused
 * for {@link #DEFAULT_OVERSIZE_WAIT_MILLIS}: then a browser gets it anyway (it checkpoints, and a returning
 * visitor resumes), one such unit per fetch. A job whose only workers are browsers therefore slows down but never
 * stalls. Units of jobs that read uploaded files ({@code App.readsFiles}) never go to a browser. Workers that are not
 * browsers ({@code null} outlook) are never limited.
 *
 * <p>Thread-safe; reads time only from its clock. The refusal times live in memory on the peer that refused
 * (at most {@link #MAX_REFUSED} units; past that they are forgotten, which delays those units' wait, never loses them).
 */
public final class VisitPlanner {
    /** How long a unit too long for any browser visit waits for another worker before a browser gets it. */
    public static final long DEFAULT_OVERSIZE_WAIT_MILLIS = 120_000;
    /** Units whose refusal time is remembered, at most. */
    static final int MAX_REFUSED = 100_000;

    /** Which units one fetch may hand out. Not thread-safe: one per fetch. */
    public interface Fit {
        /** Admits everything (a worker whose units are not sized). */
        Fit ANY = new Fit() {
            @Override
            public boolean admits(JobRecord job, String key) {
                return true;
            }

            @Override
            public boolean restrictive() {
                return false;
            }
        };

        /** Whether unit {@code key} of {@code job} may go out with this fetch; an admitted unit counts against it. */
        boolean admits(JobRecord job, String key);

        /** Whether it may refuse units (the issuer then looks further among the ready ones). */
        boolean restrictive();
    }

    private final JobDirectory jobs;
    private final Clock clock;
    private final long oversizeWaitMillis;
    /** Unit key → when a browser was first refused it here. */
    private final Map<String, Long> refused = new ConcurrentHashMap<>();

    public VisitPlanner(JobDirectory jobs, Clock clock, long oversizeWaitMillis) {
        if (oversizeWaitMillis < 0) {
            throw new IllegalArgumentException("the oversize wait must be ≥ 0 ms, not " + oversizeWaitMillis);
        }
        this.jobs = jobs;
        this.clock = clock;
        this.oversizeWaitMillis = oversizeWaitMillis;
    }

    /** The fit of one fetch of up to {@code max} tasks by a worker of {@code cores} cores expecting {@code outlook}. */
    public Fit fit(VisitOutlook outlook, int max, int cores) {
        return outlook == null ? Fit.ANY : new Budget(outlook.slotBudget(), Math.max(1, Math.min(max, cores)));
    }

    /** The expected cost (App.cost) of unit {@code key} of {@code job}. */
    double cost(JobRecord job, String key) {
        return jobs.app(job.app()).cost(JobSpecs.of(job).input(), job.workUnits(),
                Integer.parseInt(key.substring(key.lastIndexOf('/') + 1)));
    }

    /** Admits units while each fits one slot's budget and all fit the slots' budget; one overdue oversized unit. */
    private final class Budget implements Fit {
        private final double slot;
        private double left;
        private boolean oversizedGiven;

        Budget(double slot, int slots) {
            this.slot = slot;
            this.left = slot * slots;
        }

        @Override
        public boolean admits(JobRecord job, String key) {
            if (jobs.app(job.app()).readsFiles(JobSpecs.of(job).input())) {
                return false; // the page cannot fetch files: no enjambre.file_* in its sandbox (docs/wasm-abi.md)
            }
            double cost = cost(job, key);
            if (cost <= slot) {
                if (cost > left) {
                    return false;
                }
                left -= cost;
                return true;
            }
            long now = clock.millis();
            if (refused.size() >= MAX_REFUSED) {
                refused.clear();
            }
            long since = refused.computeIfAbsent(key, k -> now);
            if (oversizedGiven || left < slot || now - since < oversizeWaitMillis) {
                return false;
            }
            refused.remove(key);
            oversizedGiven = true;
            left = 0; // it takes the visit (and more)
            return true;
        }

        @Override
        public boolean restrictive() {
            return true;
        }
    }
}
