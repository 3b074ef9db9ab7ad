package org.enjambre.coordinator.sched;

import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The units with entries owned here that need replicas, per job in index order, and among them the reissues (some
 * worker holds or held a replica: the only ones placement can hold back) (part of {@link LocalIndex}; a job's fresh
 * units are in its {@link FreshUnits}). Invariant: a key is a reissue only while it is in its job's queue with holders.
 */
final class ReadyQueues {
    private final Map<String, ConcurrentSkipListMap<Integer, LocalIndex.Ready>> byJob = new ConcurrentHashMap<>();
    private final Map<String, LocalIndex.Ready> reissues = new ConcurrentHashMap<>();

    /** Indexes the unit at {@code key} (index {@code index} of {@code jobId}); returns whether it is ready now. */
    boolean index(String jobId, String key, int index, WorkUnit after) {
        ConcurrentSkipListMap<Integer, LocalIndex.Ready> q = byJob.get(jobId);
        if (after != null && after.state() == org.enjambre.workunits.model.UnitState.NEEDS_REPLICAS) {
            List<WorkerRef> holders = new ArrayList<>(after.tasks().size());
            for (Task t : after.tasks()) {
                if (t.bindsPlacement()) {
                    holders.add(t.worker());
                }
            }
            if (q == null) {
                q = byJob.computeIfAbsent(jobId, j -> new ConcurrentSkipListMap<>());
            }
            LocalIndex.Ready r = new LocalIndex.Ready(key, index, holders);
            q.put(index, r);
            if (holders.isEmpty()) {
                reissues.remove(key);
            } else {
                reissues.put(key, r);
            }
            return true;
        }
        reissues.remove(key);
        if (q != null) {
            q.remove(index);
            if (q.isEmpty()) {
                byJob.remove(jobId, q);
            }
        }
        return false;
    }

    /** The job's ready units with entries, lowest index first. */
    Iterator<LocalIndex.Ready> of(String jobId) {
        ConcurrentSkipListMap<Integer, LocalIndex.Ready> q = byJob.get(jobId);
        return q == null ? Collections.emptyIterator() : q.values().iterator();
    }

    /** The ready unit {@code index} of a job, or null. */
    LocalIndex.Ready at(String jobId, int index) {
        ConcurrentSkipListMap<Integer, LocalIndex.Ready> q = byJob.get(jobId);
        return q == null ? null : q.get(index);
    }

    /** Jobs with ready units with entries. */
    Set<String> jobs() {
        return byJob.keySet();
    }

    long count() {
        long n = 0;
        for (ConcurrentSkipListMap<Integer, LocalIndex.Ready> q : byJob.values()) {
            n += q.size();
        }
        return n;
    }

    boolean isReissue(String key) {
        return reissues.containsKey(key);
    }

    List<LocalIndex.Ready> reissues() {
        return List.copyOf(reissues.values());
    }

    void forget(String jobId) {
        byJob.remove(jobId);
    }

    void clear() {
        byJob.clear();
        reissues.clear();
    }
}
