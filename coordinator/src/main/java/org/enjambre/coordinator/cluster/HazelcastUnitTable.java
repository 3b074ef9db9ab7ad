package org.enjambre.coordinator.cluster;

import com.hazelcast.map.IMap;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.transition.Event;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** The unit table as the cluster map {@code units}: each event runs as an entry processor on the unit's owner. */
public final class HazelcastUnitTable implements UnitTable {
    private final IMap<String, WorkUnit> units;

    public HazelcastUnitTable(IMap<String, WorkUnit> units) {
        this.units = units;
    }

    @Override
    public CompletableFuture<UnitChange> apply(Step s) {
        return units.submitToKey(s.key(), processor(s)).toCompletableFuture();
    }

    /**
     * As the default, but a unit owned by this member hands its change over in memory instead of serialized and
     * deserialized ({@link UnitProcessor#handingOver}): each answer is read once its operation completed, on this
     * thread (a continuation on Hazelcast's future would run on its default async executor).
     */
    @Override
    public List<UnitChange> applyEach(List<Step> steps) {
        List<UnitProcessor> processors = new ArrayList<>(steps.size());
        List<CompletableFuture<UnitChange>> futures = new ArrayList<>(steps.size());
        for (Step s : steps) {
            UnitProcessor p = processor(s).handingOver();
            processors.add(p);
            futures.add(units.submitToKey(s.key(), p).toCompletableFuture());
        }
        List<UnitChange> out = new ArrayList<>(futures.size());
        for (int i = 0; i < futures.size(); i++) {
            out.add(processors.get(i).answer(futures.get(i).join()));
        }
        return out;
    }

    private static UnitProcessor processor(Step s) {
        return new UnitProcessor(s.app(), s.event(), s.replan(), s.fresh());
    }

    @Override
    public Map<String, WorkUnit> getAll(Set<String> keys) {
        return units.getAll(keys);
    }

    @Override
    public void applyAll(Set<String> keys, String app, Event event) {
        units.executeOnKeys(keys, new UnitProcessor(app, event));
    }

    @Override
    public void evict(String key) {
        units.deleteAsync(key);
    }

    @Override
    public List<UnitChange> invalidate(String workerId) {
        List<UnitChange> out = new ArrayList<>();
        for (UnitChange c : units.executeOnEntries(new InvalidateProcessor(workerId)).values()) {
            if (c != null && c.unit() != null) {
                out.add(c);
            }
        }
        return out;
    }
}
