package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.cluster.UnitChange;
import org.enjambre.workunits.transition.Effect;
import org.enjambre.workunits.transition.Event;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Takes back the replicas a worker holds in progress on the units this peer owns, at once rather than at
 * their deadline (BOINC's "not the worker's fault" outcomes): the worker was blacklisted, revoked or
 * deregistered, or its sync says it does not hold them. Each becomes {@code RELEASED} and a new replica
 * replaces it; no error is counted against the worker. Starts no thread; reads time only from its clock.
 */
public final class Releaser {
    private final LocalIndex index;
    private final OwnedUnits owned;
    private final Clock clock;

    Releaser(LocalIndex index, OwnedUnits owned, Clock clock) {
        this.index = index;
        this.owned = owned;
        this.clock = clock;
    }

    /**
     * Releases every replica {@code workerId} holds in progress here whose task id ({@code jobId/unit/replica})
     * is not in {@code keep}; durable before it returns. Returns how many were released.
     */
    public int release(String workerId, Set<String> keep, String reason) {
        List<String> keys = new ArrayList<>();
        index.holding(workerId).forEach((key, replica) -> {
            if (!keep.contains(key + "/" + replica)) {
                keys.add(key);
            }
        });
        if (keys.isEmpty()) {
            return 0;
        }
        int released = 0;
        for (UnitChange c : owned.apply(keys, new Event.Release(workerId, reason, clock.millis()))) {
            released += (int) c.effects().stream().filter(e -> e instanceof Effect.Released).count();
        }
        return released;
    }
}
