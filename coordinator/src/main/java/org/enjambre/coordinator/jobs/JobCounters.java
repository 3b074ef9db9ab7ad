package org.enjambre.coordinator.jobs;

import org.enjambre.workunits.model.Outcome;
import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.ValidateState;
import org.enjambre.workunits.model.WorkUnit;

/**
 * A job's task counters (issued, reported, valid, invalid, errors), derived from its units' replicas:
 * nothing to store, so they survive restarts and partition moves exactly.
 */
public final class JobCounters {
    public static final int ISSUED = 0;
    public static final int REPORTED = 1;
    public static final int VALID = 2;
    public static final int INVALID = 3;
    public static final int ERRORS = 4;
    public static final int SIZE = 5;

    private JobCounters() {
    }

    /** The counters of one unit's replicas. */
    public static long[] of(WorkUnit u) {
        long[] c = new long[SIZE];
        for (Task t : u.tasks()) {
            if (t.worker() != null) {
                c[ISSUED]++;
            }
            if (t.outcome() == Outcome.SUCCESS || t.outcome() == Outcome.CLIENT_ERROR) {
                c[REPORTED]++;
            }
            if (t.validate() == ValidateState.VALID) {
                c[VALID]++;
            } else if (t.validate() == ValidateState.INVALID) {
                c[INVALID]++;
            }
            if (t.failed()) {
                c[ERRORS]++;
            }
        }
        return c;
    }

    /** Adds {@code b} into {@code a}. */
    public static void add(long[] a, long[] b) {
        for (int i = 0; i < SIZE; i++) {
            a[i] += b[i];
        }
    }
}
