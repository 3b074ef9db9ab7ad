package org.enjambre.coordinator.sched;

import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.ValidateState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.transition.Transitioner;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Units owned here whose results wait for their workers' credibility (part of {@link LocalIndex}): by unit, and by
 * worker for what a passed spot-check may decide. Invariant: {@code byWorker} lists a key under exactly the workers
 * its {@code waiting} entry names.
 */
final class CredibilityWaits {
    /**
     * A unit that may wait for spot-checks ({@link org.enjambre.workunits.spec.Redundancy#waitsForChecks}) with results
     * not judged yet: their workers, and whether (and since when) it waits for nothing else
     * ({@link Transitioner#waitingForCredibility}).
     */
    private record Waiting(boolean idle, long since, List<String> workers, boolean atMaxResults, boolean checkMayAccept) {
    }

    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> byWorker = new ConcurrentHashMap<>();

    /**
     * Whether a passed spot-check of one of its workers could accept {@code u} without another replica: always for a
     * credibility-based unit with a result waiting; for quorum voting with spot-checks, when a quorum of its
     * waiting results agree (by digest: byte-identical outputs) and only lack a checked worker.
     */
    private static boolean checkMayAccept(WorkUnit u) {
        if (u.policy().credibilityBased()) {
            return true;
        }
        Map<Long, Integer> agreeing = new HashMap<>(4);
        for (Task t : u.tasks()) {
            if (t.success() && t.validate() == ValidateState.PENDING
                    && agreeing.merge(t.digest(), 1, Integer::sum) >= u.policy().quorum()) {
                return true;
            }
        }
        return false;
    }

    /** Indexes the unit at {@code key} as it is now ({@code null}: gone). */
    void index(String key, WorkUnit after) {
        Waiting now = null;
        if (after != null && after.policy().waitsForChecks() && !after.terminal()) {
            long since = 0;
            List<String> workers = new ArrayList<>();
            for (Task t : after.tasks()) {
                since = Math.max(since, t.reportedAt());
                if (t.success() && t.validate() == ValidateState.PENDING) {
                    workers.add(t.workerId());
                }
            }
            if (!workers.isEmpty()) {
                now = new Waiting(Transitioner.waitingForCredibility(after), since, workers,
                        after.tasks().size() >= after.policy().maxResults(), checkMayAccept(after));
            }
        }
        Waiting before = now == null ? waiting.remove(key) : waiting.put(key, now);
        if (before != null) {
            for (String w : before.workers()) {
                byWorker.computeIfPresent(w, (k, keys) -> {
                    keys.remove(key);
                    return keys.isEmpty() ? null : keys;
                });
            }
        }
        if (now != null) {
            for (String w : now.workers()) {
                byWorker.computeIfAbsent(w, k -> ConcurrentHashMap.newKeySet()).add(key);
            }
        }
    }

    /** Keys of units with a result of {@code workerId} not judged yet. */
    List<String> waitingOn(String workerId) {
        Set<String> keys = byWorker.get(workerId);
        return keys == null ? List.of() : List.copyOf(keys);
    }

    /** Whether the unit at {@code key}, waiting for credibility, has all the replicas its policy allows. */
    boolean atMaxResults(String key) {
        Waiting w = waiting.get(key);
        return w != null && w.atMaxResults();
    }

    /** Whether the unit at {@code key} has waiting results that a passed spot-check could accept. */
    boolean awaitsCredibility(String key) {
        Waiting w = waiting.get(key);
        return w != null && w.checkMayAccept();
    }

    /** Keys of units that have waited for nothing but credibility since {@code before} or earlier, with since when. */
    Map<String, Long> since(long before) {
        Map<String, Long> out = new HashMap<>();
        waiting.forEach((key, w) -> {
            if (w.idle() && w.since() <= before) {
                out.put(key, w.since());
            }
        });
        return out;
    }

    void clear() {
        waiting.clear();
        byWorker.clear();
    }
}
