package org.enjambre.coordinator.sched.mem;

import org.enjambre.coordinator.sched.PendingChecks;
import org.enjambre.coordinator.sched.SpotChecks;

import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pending spot-checks in memory, expiring by an injected clock like the cluster map's time-to-live;
 * {@link #clear} is what a restart of the whole cluster does to them (the map is not stored). Thread-safe.
 */
public final class MemPendingChecks implements PendingChecks {
    private record Entry(SpotChecks.Pending check, long expiresAt) {
    }

    private final Clock clock;
    private final Map<String, Entry> entries = new TreeMap<>();

    public MemPendingChecks(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized void put(String id, SpotChecks.Pending check, long ttlMillis) {
        entries.put(id, new Entry(check, clock.millis() + ttlMillis));
    }

    @Override
    public synchronized SpotChecks.Pending get(String id) {
        Entry e = entries.get(id);
        if (e == null) {
            return null;
        }
        if (e.expiresAt() <= clock.millis()) {
            entries.remove(id);
            return null;
        }
        return e.check();
    }

    @Override
    public synchronized void remove(String id) {
        entries.remove(id);
    }

    /** Forgets every pending check. */
    public synchronized void clear() {
        entries.clear();
    }
}
