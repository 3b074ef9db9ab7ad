package org.enjambre.coordinator.cluster;

import com.hazelcast.map.EntryProcessor;
import org.enjambre.workunits.model.WorkUnit;

import java.io.Serializable;
import java.util.Map;

/**
 * Several units' events in one entry processor: each unit it runs on gets the {@link UnitProcessor} of its own
 * key. Sent for the units of one block ({@link UnitBlocks}), so that the processor shipped to the owner and to the
 * backups carries only that block's events. The same processor runs again on the backups (deterministic, as
 * {@link UnitProcessor}).
 */
public final class BatchProcessor implements EntryProcessor<String, WorkUnit, UnitChange>, Serializable {
    private final Map<String, UnitProcessor> byKey;

    /** @param byKey each unit key's event; no key twice (a map) */
    public BatchProcessor(Map<String, UnitProcessor> byKey) {
        this.byKey = Map.copyOf(byKey);
    }

    Map<String, UnitProcessor> byKey() {
        return byKey;
    }

    @Override
    public UnitChange process(Map.Entry<String, WorkUnit> entry) {
        UnitProcessor p = byKey.get(entry.getKey());
        return p == null ? UnitChange.missing(entry.getKey()) : p.process(entry);
    }
}
