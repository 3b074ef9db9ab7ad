package org.enjambre.coordinator.workers;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import org.enjambre.coordinator.cluster.RecordProcessor;
import org.enjambre.coordinator.model.VisitStats;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.coordinator.store.Store;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@link Visits.Log} over the cluster: a worker's visit history lives in its {@link WorkerRecord} (map
 * {@code workers}, written to the store behind, like any record change), a platform's in the map
 * {@link #PLATFORMS} (backed up in the cluster, not stored: after a full-cluster restart a new tab's default starts
 * again from {@link Visits#DEFAULT_VISIT_MILLIS} until visits close, while each browser keeps its own history).
 * Every change is an entry processor where the entry lives, so concurrent updates are never lost.
 */
public final class VisitRecords implements Visits.Log {
    /** The map of platform histories (platform → {@link VisitStats}). */
    public static final String PLATFORMS = "visit-platforms";

    private final IMap<String, WorkerRecord> workers;
    private final IMap<String, VisitStats> platforms;
    private final Store store;
    private final Consumer<WorkerRecord> changed;

    /** @param changed told of every new worker record (the token cache keeps it) */
    public VisitRecords(IMap<String, WorkerRecord> workers, IMap<String, VisitStats> platforms, Store store,
                        Consumer<WorkerRecord> changed) {
        this.workers = workers;
        this.platforms = platforms;
        this.store = store;
        this.changed = changed;
    }

    @Override
    public VisitStats visited(String workerId, String platform, long millis) {
        platforms.executeOnKey(platform, new PlatformUpdate(new Change(millis, null, VisitStats.PLATFORM_WEIGHT)));
        return update(workerId, new Change(millis, null, VisitStats.WORKER_WEIGHT));
    }

    @Override
    public VisitStats measured(String workerId, String platform, double[] samples) {
        platforms.executeOnKey(platform, new PlatformUpdate(new Change(-1, samples, VisitStats.PLATFORM_WEIGHT)));
        return update(workerId, new Change(-1, samples, VisitStats.WORKER_WEIGHT));
    }

    @Override
    public VisitStats platform(String platform) {
        VisitStats s = platforms.get(platform);
        return s == null ? VisitStats.NONE : s;
    }

    private VisitStats update(String workerId, Change c) {
        WorkerRecord w = workers.executeOnKey(workerId, new RecordProcessor<>(new WorkerUpdate(c)));
        if (w == null) {
            return VisitStats.NONE;
        }
        store.writeLater(new Store.Batch(List.of(), List.of(w), List.of()));
        changed.accept(w);
        return w.visit();
    }

    /** A visit of {@code millis} (none when negative) and speed samples (none when null), weighted by {@code weight}. */
    private record Change(long millis, double[] samples, double weight) implements java.io.Serializable {
        VisitStats applyTo(VisitStats s) {
            VisitStats out = millis >= 0 ? s.afterVisit(millis, weight) : s;
            if (samples != null) {
                for (double x : samples) {
                    out = out.afterSpeed(x, weight);
                }
            }
            return out;
        }
    }

    /** A change to a worker's visit history. A named class: it travels to the record's owner. */
    private record WorkerUpdate(Change change) implements RecordProcessor.Update<WorkerRecord> {
        @Override
        public WorkerRecord apply(WorkerRecord w) {
            return w.withVisit(change.applyTo(w.visit()));
        }
    }

    /** A change to a platform's history, creating it. */
    private record PlatformUpdate(Change change) implements EntryProcessor<String, VisitStats, Object>, java.io.Serializable {
        @Override
        public Object process(Map.Entry<String, VisitStats> e) {
            e.setValue(change.applyTo(e.getValue() == null ? VisitStats.NONE : e.getValue()));
            return null;
        }
    }
}
