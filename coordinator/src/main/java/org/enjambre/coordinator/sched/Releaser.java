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
    /**
     * How long a worker released whole (blacklisted, revoked, deregistered) stays released: a fetch of it that
     * began before may still issue it units after the release ran, and the index learns of an issue a moment after
     * it is made. Found with real processes (bench/scripts/saboteur-swarm.sh): a blacklisted saboteur kept 9 units
     * of a 150-unit job until their 600 s deadline.
     */
    static final long LINGER_MILLIS = 120_000;

    private final LocalIndex index;
    private final OwnedUnits owned;
    private final Clock clock;
    /** Workers released whole lately: id → until when {@link #sweep} releases them again, and why. */
    private final java.util.Map<String, Lingering> lingering = new java.util.concurrent.ConcurrentHashMap<>();

    private record Lingering(long until, String reason) {
    }

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
        if (keep.isEmpty()) {
            lingering.put(workerId, new Lingering(clock.millis() + LINGER_MILLIS, reason));
        }
        return releaseNow(workerId, keep, reason);
    }

    /**
     * Releases again, for {@link #LINGER_MILLIS} after, what workers released whole hold here now (a replica issued
     * by a fetch that raced the release), as long as {@code barred} says they may have no work (blacklisted,
     * revoked, gone): a worker whose sync said it held nothing was released whole too, and it keeps working.
     * Forgets them after that. Returns how many replicas it released.
     */
    public int sweep(java.util.function.Predicate<String> barred) {
        long now = clock.millis();
        int released = 0;
        for (java.util.Map.Entry<String, Lingering> e : lingering.entrySet()) {
            if (e.getValue().until() <= now || !barred.test(e.getKey())) {
                lingering.remove(e.getKey(), e.getValue());
            } else {
                released += releaseNow(e.getKey(), Set.of(), e.getValue().reason());
            }
        }
        return released;
    }

    private int releaseNow(String workerId, Set<String> keep, String reason) {
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
