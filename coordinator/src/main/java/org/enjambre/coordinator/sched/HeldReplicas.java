package org.enjambre.coordinator.sched;

import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.TaskState;
import org.enjambre.workunits.model.WorkUnit;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Replicas in progress on the units owned here, by unit and by worker (part of {@link LocalIndex}). Invariant: the
 * two maps hold the same (unit, worker, replica) triples.
 */
final class HeldReplicas {
    /** By unit key: worker id → replica. */
    private final Map<String, Map<String, Integer>> heldOn = new ConcurrentHashMap<>();
    /** By worker id: unit key → replica. */
    private final Map<String, Map<String, Integer>> holding = new ConcurrentHashMap<>();

    /** Indexes the unit at {@code key} as it is now ({@code null}: gone). */
    void index(String key, WorkUnit after) {
        Map<String, Integer> now = null;
        if (after != null && !after.terminal()) {
            for (Task t : after.tasks()) {
                if (t.state() == TaskState.IN_PROGRESS) {
                    if (now == null) {
                        now = new HashMap<>(4);
                    }
                    now.put(t.workerId(), t.replica());
                }
            }
        }
        Map<String, Integer> before = now == null ? heldOn.remove(key) : heldOn.put(key, now);
        if (before != null) {
            for (String w : before.keySet()) {
                holding.computeIfPresent(w, (k, keys) -> {
                    keys.remove(key);
                    return keys.isEmpty() ? null : keys;
                });
            }
        }
        if (now != null) {
            now.forEach((w, replica) -> holding.computeIfAbsent(w, k -> new ConcurrentHashMap<>()).put(key, replica));
        }
    }

    /** The replicas {@code workerId} holds in progress on units owned here: unit key → replica. */
    Map<String, Integer> of(String workerId) {
        Map<String, Integer> keys = holding.get(workerId);
        return keys == null ? Map.of() : new TreeMap<>(keys);
    }

    void clear() {
        heldOn.clear();
        holding.clear();
    }
}
