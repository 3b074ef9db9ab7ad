package org.enjambre.coordinator.cluster;

import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.transition.Decision;
import org.enjambre.workunits.transition.Effect;

import java.io.Serializable;
import java.util.List;

/**
 * What an event did to a unit where it lives, sent back to the peer that asked.
 *
 * @param unit      the unit after the event, or {@code null} when there is no such unit
 * @param changed   whether the unit changed (and must be written to the store)
 * @param effects   what changed, for credit, reputation and scheduling
 * @param rejection why the event was refused, or {@code null}
 */
public record UnitChange(WorkUnit unit, boolean changed, List<Effect> effects, Decision.Rejection rejection)
        implements Serializable {

    public static UnitChange missing(String key) {
        return new UnitChange(null, false, List.of(),
                new Decision.Rejection(Decision.Reason.UNKNOWN_TASK, "no active work unit " + key));
    }

    public boolean accepted() {
        return rejection == null;
    }
}
