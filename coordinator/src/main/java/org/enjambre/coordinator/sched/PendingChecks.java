package org.enjambre.coordinator.sched;

import com.hazelcast.map.IMap;

import java.util.concurrent.TimeUnit;

/**
 * Spot-checks sent and not answered yet, cluster-wide: any peer may judge an answer. Each entry expires at its
 * check's deadline. The coordinator keeps them in the Hazelcast map {@code spotchecks} ({@link #of}); the
 * simulation in {@link org.enjambre.coordinator.sched.mem.MemPendingChecks}.
 */
public interface PendingChecks {

    /** Remembers {@code check} under {@code id} for {@code ttlMillis}. */
    void put(String id, SpotChecks.Pending check, long ttlMillis);

    /** The pending check {@code id}; {@code null} when never sent, answered or expired. */
    SpotChecks.Pending get(String id);

    /** Forgets check {@code id} (answered). */
    void remove(String id);

    /** Pending checks in a Hazelcast map. */
    static PendingChecks of(IMap<String, SpotChecks.Pending> map) {
        return new PendingChecks() {
            @Override
            public void put(String id, SpotChecks.Pending check, long ttlMillis) {
                map.set(id, check, ttlMillis, TimeUnit.MILLISECONDS);
            }

            @Override
            public SpotChecks.Pending get(String id) {
                return map.get(id);
            }

            @Override
            public void remove(String id) {
                map.delete(id);
            }
        };
    }
}
