package org.enjambre.coordinator.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import org.enjambre.workunits.model.WorkUnit;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The events of several units of one block ({@link UnitBlocks}) as one entry processor: each unit it runs on gets
 * the {@link UnitProcessor} of its key, so the block is one cluster operation on its owner (and one on each backup,
 * which runs the keys' backup processors). Run on the calling member without being serialized, its processors hand
 * their answers over in memory ({@link UnitProcessor#handingOver}) and it replies nothing for them.
 */
public final class BatchProcessor implements EntryProcessor<String, WorkUnit, UnitChange>, HazelcastInstanceAware, Serializable {
    private final Map<String, UnitProcessor> byKey;

    /** @param byKey each key's event, at most one per key */
    public BatchProcessor(Map<String, UnitProcessor> byKey) {
        this.byKey = byKey;
    }

    Map<String, UnitProcessor> byKey() {
        return byKey;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hz) {
        for (UnitProcessor p : byKey.values()) {
            p.setHazelcastInstance(hz);
        }
    }

    @Override
    public UnitChange process(Map.Entry<String, WorkUnit> entry) {
        UnitProcessor p = byKey.get(entry.getKey());
        return p == null ? UnitChange.missing(entry.getKey()) : p.process(entry);
    }

    /** The keys' backup processors: the backups make the same units and feed no index. */
    @Override
    public EntryProcessor<String, WorkUnit, UnitChange> getBackupProcessor() {
        Map<String, UnitProcessor> backups = new LinkedHashMap<>(byKey.size() * 2);
        byKey.forEach((k, p) -> backups.put(k, (UnitProcessor) p.getBackupProcessor()));
        return new BatchProcessor(backups);
    }
}
