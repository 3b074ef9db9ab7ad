package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.jobs.JobCounters;
import org.enjambre.coordinator.jobs.UnitCounts;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.WorkUnit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per job, how many units owned here are in each state ({@link UnitCounts} slots) and their task counters
 * ({@link JobCounters}) (part of {@link LocalIndex}). Invariant: the counts are the sum of the {@link Seen}s added
 * minus those taken away; the index adds each unit's {@link Seen} once and takes the same one away.
 */
final class UnitTallies {
    /** What the index counted for one unit. */
    record Seen(String jobId, UnitState state, boolean waiting, boolean credibility, long[] tasks) {
        static Seen of(WorkUnit u) {
            return new Seen(u.jobId(), u.state(), UnitCounts.waiting(u), UnitCounts.waitingForCredibility(u), JobCounters.of(u));
        }
    }

    private final Map<String, AtomicLongArray> counts = new ConcurrentHashMap<>();
    private final Map<String, AtomicLongArray> taskCounts = new ConcurrentHashMap<>();

    /** Counts {@code n} units like {@code s} (negative: takes them away). */
    void add(Seen s, int n) {
        AtomicLongArray c = unitCounters(s.jobId());
        c.addAndGet(s.state().ordinal(), n);
        if (s.waiting()) {
            c.addAndGet(UnitCounts.WAITING, n);
        }
        if (s.credibility()) {
            c.addAndGet(UnitCounts.WAITING_CREDIBILITY, n);
        }
        AtomicLongArray t = taskCounts.computeIfAbsent(s.jobId(), j -> new AtomicLongArray(JobCounters.SIZE));
        long[] tasks = s.tasks();
        for (int i = 0; i < tasks.length; i++) {
            if (tasks[i] != 0) {
                t.addAndGet(i, n * tasks[i]);
            }
        }
    }

    /** Moves the job's count of ready units no connected worker may take by {@code delta}. */
    void noEligibleWorker(String jobId, int delta) {
        if (delta > 0) {
            unitCounters(jobId).addAndGet(UnitCounts.NO_ELIGIBLE_WORKER, delta);
        } else {
            AtomicLongArray c = counts.get(jobId);
            if (c != null) {
                c.addAndGet(UnitCounts.NO_ELIGIBLE_WORKER, delta);
            }
        }
    }

    private AtomicLongArray unitCounters(String jobId) {
        return counts.computeIfAbsent(jobId, j -> new AtomicLongArray(UnitCounts.SIZE));
    }

    /** Units of {@code jobId} by state ordinal, then the {@link UnitCounts} slots. */
    long[] units(String jobId) {
        return copy(counts.get(jobId), UnitCounts.SIZE);
    }

    /** Task counters of {@code jobId} ({@link JobCounters} indexes). */
    long[] tasks(String jobId) {
        return copy(taskCounts.get(jobId), JobCounters.SIZE);
    }

    private static long[] copy(AtomicLongArray c, int size) {
        long[] out = new long[size];
        if (c != null) {
            for (int i = 0; i < out.length; i++) {
                out[i] = c.get(i);
            }
        }
        return out;
    }

    void forget(String jobId) {
        counts.remove(jobId);
        taskCounts.remove(jobId);
    }

    void clear() {
        counts.clear();
        taskCounts.clear();
    }
}
