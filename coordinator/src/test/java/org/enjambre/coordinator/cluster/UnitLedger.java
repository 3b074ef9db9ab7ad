package org.enjambre.coordinator.cluster;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Remembers every unit seen DONE (its canonical replica and that replica's worker) across snapshots of
 * {@code GET /api/v1/jobs/{id}/units}, and fails when a unit once DONE is seen otherwise later: not done
 * any more (its validation was lost) or done with another canonical result (validated twice).
 */
final class UnitLedger {
    private record Canonical(int replica, String worker) {
    }

    private final Map<Integer, Canonical> done = new ConcurrentHashMap<>();

    /** Checks a snapshot against what was seen before and records its DONE units. */
    void observe(JsonNode units) {
        for (JsonNode u : units) {
            int index = u.get("index").asInt();
            Canonical before = done.get(index);
            if (!u.get("state").asText().equals("DONE")) {
                assertThat(before).as("unit %d was DONE with canonical %s and is now %s: its validation was lost",
                        index, before, u).isNull();
                continue;
            }
            int replica = u.get("canonical").asInt();
            String worker = null;
            for (JsonNode r : u.get("replicas")) {
                if (r.get("replica").asInt() == replica) {
                    worker = r.get("worker").asText();
                }
            }
            Canonical now = new Canonical(replica, worker);
            if (before == null) {
                done.put(index, now);
            } else {
                assertThat(now).as("unit %d was validated twice: its canonical result changed (%s)", index, u).isEqualTo(before);
            }
        }
    }

    /** How many units were seen DONE. */
    int doneSeen() {
        return done.size();
    }
}
