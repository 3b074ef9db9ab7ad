package org.enjambre.coordinator.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.transition.Decision;

import java.io.Serializable;
import java.util.Map;

/**
 * Backtracking after a failed spot-check: marks a worker's results that are not validated yet
 * INVALID on every unit (run on every entry where it lives), so that those units are recomputed, and
 * reopens accepted units of running jobs that its results made ({@link org.enjambre.workunits.transition.Transitioner#reopen}).
 * Returns the change for units it touched, {@code null} elsewhere. Like {@link UnitProcessor}, the owner's run feeds
 * the member's {@link UnitFeed}, the backups' does not.
 */
public final class InvalidateProcessor implements EntryProcessor<String, WorkUnit, UnitChange>, HazelcastInstanceAware,
        Serializable {
    private final String workerId;
    private final boolean backup;
    private transient UnitTable.Listener feed;

    public InvalidateProcessor(String workerId) {
        this(workerId, false);
    }

    private InvalidateProcessor(String workerId, boolean backup) {
        this.workerId = workerId;
        this.backup = backup;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hz) {
        feed = backup ? null : UnitFeed.of(hz);
    }

    @Override
    public EntryProcessor<String, WorkUnit, UnitChange> getBackupProcessor() {
        return new InvalidateProcessor(workerId, true);
    }

    @Override
    public UnitChange process(Map.Entry<String, WorkUnit> entry) {
        WorkUnit unit = entry.getValue();
        if (unit == null || (unit.terminal() && unit.state() != UnitState.DONE)) {
            return null;
        }
        // A DONE unit is in memory only while its job runs (a finished job's units are evicted): reopen it.
        Decision d = unit.state() == UnitState.DONE ? UnitProcessor.anyApp().reopen(unit, workerId)
                : UnitProcessor.anyApp().invalidate(unit, workerId);
        if (d.unit() == unit) {
            return null;
        }
        entry.setValue(d.unit());
        UnitTable.Listener f = feed;
        if (f != null) {
            f.changed(entry.getKey(), unit, d.unit());
        }
        return new UnitChange(d.unit(), true, d.effects(), d.rejection());
    }
}
