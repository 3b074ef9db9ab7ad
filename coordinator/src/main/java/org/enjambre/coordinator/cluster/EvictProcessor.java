package org.enjambre.coordinator.cluster;

import com.hazelcast.map.EntryProcessor;
import org.enjambre.workunits.model.WorkUnit;

import java.io.Serial;
import java.io.Serializable;
import java.util.Map;

/**
 * Drops a unit from memory (its job finished; the store has it), run for many keys at once: one operation per
 * partition instead of one delete per unit. The same on the backup.
 */
final class EvictProcessor implements EntryProcessor<String, WorkUnit, Void>, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    static final EvictProcessor INSTANCE = new EvictProcessor();

    private EvictProcessor() {
    }

    @Override
    public Void process(Map.Entry<String, WorkUnit> entry) {
        if (entry.getValue() != null) {
            entry.setValue(null);
        }
        return null;
    }

    @Serial
    private Object readResolve() {
        return INSTANCE;
    }
}
