package org.enjambre.coordinator.workers;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The workers whose fetch or report reached this peer lately (the cluster view's per-peer "workers"). Local to the
 * peer, never replicated: a worker that talks to two peers counts on both; a restarted peer starts from none.
 * Invariant: holds at most one entry per worker that called within the window plus those not yet swept.
 */
final class RecentCallers {
    private final long windowMillis;
    private final Map<String, Long> lastCall = new ConcurrentHashMap<>();

    RecentCallers(long windowMillis) {
        if (windowMillis <= 0) {
            throw new IllegalArgumentException("windowMillis must be positive, was " + windowMillis);
        }
        this.windowMillis = windowMillis;
    }

    /** Notes that {@code workerId} called this peer at {@code now}. */
    void called(String workerId, long now) {
        lastCall.merge(workerId, now, Math::max);
    }

    /** How many distinct workers called within the window ending at {@code now}; forgets older ones. */
    long count(long now) {
        lastCall.values().removeIf(at -> now - at > windowMillis);
        return lastCall.size();
    }
}
