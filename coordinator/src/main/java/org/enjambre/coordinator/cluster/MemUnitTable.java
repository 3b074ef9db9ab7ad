package org.enjambre.coordinator.cluster;

import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.transition.Event;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The unit table in memory, with the cluster map's semantics: the same {@link UnitProcessor} and
 * {@link InvalidateProcessor} run on each unit, one at a time, and every change is shown to the listeners
 * of the unit's owner (each peer's {@code LocalIndex}). Deterministic: keys in sorted order, futures
 * complete before {@code apply} returns. For component tests and the whole-swarm simulation.
 *
 * <p>Thread-safe (one lock); listeners run under it, in registration order.
 */
public final class MemUnitTable implements UnitTable {
    private record Watcher(Predicate<String> owns, Listener listener) {
    }

    private final TreeMap<String, WorkUnit> units = new TreeMap<>();
    private final List<Watcher> watchers = new ArrayList<>();

    /** Shows changes of the units for which {@code owns} holds to {@code listener} (a peer's index). */
    public synchronized void listen(Predicate<String> owns, Listener listener) {
        watchers.add(new Watcher(owns, listener));
    }

    /** Puts a unit (a job's fresh units, or units read back from a store after a restart). */
    public synchronized void put(WorkUnit unit) {
        String key = WorkUnit.id(unit.jobId(), unit.index());
        changed(key, units.put(key, unit), unit);
    }

    /** Removes a unit (its job ended and left memory); {@code null} when absent. */
    public synchronized WorkUnit remove(String key) {
        WorkUnit old = units.remove(key);
        if (old != null) {
            changed(key, old, null);
        }
        return old;
    }

    /** The unit at {@code key}, or {@code null}. */
    public synchronized WorkUnit get(String key) {
        return units.get(key);
    }

    /** A copy of every unit, by key. */
    public synchronized Map<String, WorkUnit> snapshot() {
        return new TreeMap<>(units);
    }

    /** Shows every unit {@code owns} holds for to {@code listener} again (an index rebuilt after ownership moved). */
    public synchronized void replay(Predicate<String> owns, Listener listener) {
        units.forEach((k, u) -> {
            if (owns.test(k)) {
                listener.changed(k, null, u);
            }
        });
    }

    @Override
    public synchronized CompletableFuture<UnitChange> apply(Step s) {
        return CompletableFuture.completedFuture(run(s.key(), e -> new UnitProcessor(s.app(), s.event(), s.replan(), s.fresh()).process(e)));
    }

    @Override
    public synchronized Map<String, WorkUnit> getAll(Set<String> keys) {
        Map<String, WorkUnit> out = new TreeMap<>();
        for (String k : keys) {
            WorkUnit u = units.get(k);
            if (u != null) {
                out.put(k, u);
            }
        }
        return out;
    }

    /** Keys in sorted order (deterministic). */
    @Override
    public synchronized void applyAll(Set<String> keys, String app, Event event) {
        for (String k : new TreeSet<>(keys)) {
            run(k, e -> new UnitProcessor(app, event).process(e));
        }
    }

    /** At once: the table has no asynchrony. */
    @Override
    public void evict(Set<String> keys) {
        keys.forEach(this::remove);
    }

    @Override
    public synchronized List<UnitChange> invalidate(String workerId) {
        List<UnitChange> out = new ArrayList<>();
        for (String key : new ArrayList<>(units.keySet())) {
            UnitChange c = run(key, e -> new InvalidateProcessor(workerId).process(e));
            if (c != null && c.unit() != null) {
                out.add(c);
            }
        }
        return out;
    }

    private UnitChange run(String key, java.util.function.Function<Map.Entry<String, WorkUnit>, UnitChange> processor) {
        WorkUnit before = units.get(key);
        Map.Entry<String, WorkUnit> entry = new AbstractMap.SimpleEntry<>(key, before);
        UnitChange c = processor.apply(entry);
        WorkUnit after = entry.getValue();
        if (after != before) {
            units.put(key, after);
            changed(key, before, after);
        }
        return c;
    }

    private void changed(String key, WorkUnit before, WorkUnit after) {
        for (Watcher w : watchers) {
            if (w.owns().test(key)) {
                w.listener().changed(key, before, after);
            }
        }
    }
}
