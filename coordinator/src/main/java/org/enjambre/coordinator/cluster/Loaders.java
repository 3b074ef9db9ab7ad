package org.enjambre.coordinator.cluster;

import com.hazelcast.map.MapLoader;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.store.Store;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.spec.Redundancy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Fills the cluster's maps from the durable store when the cluster starts (or a map is first used).
 * The store keeps only units that changed since their job was accepted; a unit missing there is,
 * by definition, fresh, and the unit loader makes it anew. Units of finished jobs stay on disk only.
 */
public final class Loaders {
    private Loaders() {
    }

    /** Unit key {@code jobId/index} → job id. */
    static String jobOf(String key) {
        return key.substring(0, key.lastIndexOf('/'));
    }

    static int indexOf(String key) {
        return Integer.parseInt(key.substring(key.lastIndexOf('/') + 1));
    }

    /** Loads the units of the jobs that are not finished. */
    public static final class Units implements MapLoader<String, WorkUnit> {
        private final Store store;
        /** The replication a job's units are created with (its spec's; the wiring knows how to read a spec). */
        private final Function<JobRecord, Redundancy> redundancy;
        private final Map<String, Map<Integer, WorkUnit>> stored = new ConcurrentHashMap<>();
        /** True while the cluster's initial load runs: only then are a job's stored units read at once and cached. */
        private volatile boolean initialLoad = true;

        public Units(Store store, Function<JobRecord, Redundancy> redundancy) {
            this.store = store;
            this.redundancy = redundancy;
        }

        @Override
        public WorkUnit load(String key) {
            return loadAll(List.of(key)).get(key);
        }

        @Override
        public Map<String, WorkUnit> loadAll(Collection<String> keys) {
            Map<String, WorkUnit> out = new HashMap<>();
            Map<String, Optional<JobRecord>> jobs = new HashMap<>();
            for (String key : keys) {
                String jobId;
                int index;
                try {
                    jobId = jobOf(key);
                    index = indexOf(key);
                } catch (RuntimeException e) {
                    continue;
                }
                Optional<JobRecord> job = jobs.computeIfAbsent(jobId, store::job);
                if (job.isEmpty() || job.get().state().terminal() || index < 0 || index >= job.get().workUnits()) {
                    continue;
                }
                WorkUnit u = initialLoad ? stored.computeIfAbsent(jobId, store::units).get(index)
                        : store.unit(jobId, index).orElse(null);
                out.put(key, u != null ? u : WorkUnit.create(jobId, index, redundancy.apply(job.get())));
            }
            return out;
        }

        @Override
        public Iterable<String> loadAllKeys() {
            stored.clear();
            initialLoad = true;
            List<String> keys = new ArrayList<>();
            for (JobRecord j : store.jobs()) {
                if (!j.state().terminal()) {
                    for (int i = 0; i < j.workUnits(); i++) {
                        keys.add(WorkUnit.id(j.id(), i));
                    }
                }
            }
            return keys;
        }

        /** Forgets what the initial load cached; later loads read the store unit by unit. */
        public void loaded() {
            initialLoad = false;
            stored.clear();
        }
    }

    /** Loads every job. */
    public static final class Jobs implements MapLoader<String, JobRecord> {
        private final Store store;

        public Jobs(Store store) {
            this.store = store;
        }

        @Override
        public JobRecord load(String key) {
            return store.job(key).orElse(null);
        }

        @Override
        public Map<String, JobRecord> loadAll(Collection<String> keys) {
            Map<String, JobRecord> out = new HashMap<>();
            for (String k : keys) {
                store.job(k).ifPresent(j -> out.put(k, j));
            }
            return out;
        }

        @Override
        public Iterable<String> loadAllKeys() {
            return store.jobs().stream().map(JobRecord::id).toList();
        }
    }

    /**
     * Loads every registered worker when the cluster starts, and one worker by a keyed lookup afterwards: a
     * worker id the map does not hold (an unknown or forged one in a token) costs one primary-key probe of
     * the store, never a read of the whole table.
     */
    public static final class Workers implements MapLoader<String, WorkerRecord> {
        private final Store store;
        /** The table as read for the initial load; null after {@link #loaded()}. */
        private volatile Map<String, WorkerRecord> all;

        public Workers(Store store) {
            this.store = store;
        }

        @Override
        public WorkerRecord load(String key) {
            Map<String, WorkerRecord> snapshot = all;
            return snapshot != null ? snapshot.get(key) : store.worker(key).orElse(null);
        }

        @Override
        public Map<String, WorkerRecord> loadAll(Collection<String> keys) {
            Map<String, WorkerRecord> out = new HashMap<>();
            for (String k : keys) {
                WorkerRecord w = load(k);
                if (w != null) {
                    out.put(k, w);
                }
            }
            return out;
        }

        @Override
        public Iterable<String> loadAllKeys() {
            Map<String, WorkerRecord> m = new HashMap<>();
            for (WorkerRecord w : store.workers()) {
                m.put(w.id(), w);
            }
            all = m;
            return List.copyOf(m.keySet());
        }

        /** Forgets what the initial load cached; later loads are keyed lookups. */
        public void loaded() {
            all = null;
        }
    }
}
