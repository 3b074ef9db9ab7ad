package org.enjambre.coordinator.cluster;

import com.hazelcast.map.EntryProcessor;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.transition.Decision;

import java.io.Serializable;
import java.util.Map;

/**
 * Backtracking after a failed spot-check: marks a worker's results that are not validated yet
 * INVALID on every unit (run on every entry where it lives), so that those units are recomputed.
 * Returns the change for units it touched, {@code null} elsewhere.
 */
public final class InvalidateProcessor implements EntryProcessor<String, WorkUnit, UnitChange>, Serializable {
    private final String workerId;

    public InvalidateProcessor(String workerId) {
        this.workerId = workerId;
    }

    @Override
    public UnitChange process(Map.Entry<String, WorkUnit> entry) {
        WorkUnit unit = entry.getValue();
        if (unit == null || unit.terminal()) {
            return null;
        }
        Decision d = UnitProcessor.anyApp().invalidate(unit, workerId);
        if (d.unit() == unit) {
            return null;
        }
        entry.setValue(d.unit());
        return new UnitChange(d.unit(), true, d.effects(), d.rejection());
    }
}
