package org.enjambre.coordinator.jobs;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Task counters per job on this peer (issued, reported, valid, invalid, errors); sums across peers give the job's. */
public final class JobCounters {
    public static final int ISSUED = 0;
    public static final int REPORTED = 1;
    public static final int VALID = 2;
    public static final int INVALID = 3;
    public static final int ERRORS = 4;
    public static final int SIZE = 5;

    private final Map<String, LongAdder[]> counters = new ConcurrentHashMap<>();

    public void add(String jobId, int which, long n) {
        counters.computeIfAbsent(jobId, j -> {
            LongAdder[] a = new LongAdder[SIZE];
            for (int i = 0; i < SIZE; i++) {
                a[i] = new LongAdder();
            }
            return a;
        })[which].add(n);
    }

    public long[] get(String jobId) {
        LongAdder[] a = counters.get(jobId);
        long[] out = new long[SIZE];
        if (a != null) {
            for (int i = 0; i < SIZE; i++) {
                out[i] = a[i].sum();
            }
        }
        return out;
    }
}
