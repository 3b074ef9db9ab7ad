package org.enjambre.coordinator.cluster;

import com.hazelcast.map.MapLoader;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.store.Store;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.WorkUnit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fills the cluster's maps from the durable store when the cluster starts (or a map is first used).
 * The store keeps only units that changed since their job was accepted; a unit missing there is,
 * by definition, fresh, and stays implicit (no entry) until its first issue. Units of finished jobs stay
 * on disk only.
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

    /**
     * Loads the stored units of the jobs that are not finished. A job's never-touched units are implicit: no
     * entry and no row until their first issue makes them ({@link UnitProcessor}), so a key the map does not
     * hold is a fresh unit and this answers nothing for it, without reading the store (the first issue of
     * every unit asks).
     *
     * <p>Invariant this rests on: a unit that has a row was in the map since the cluster's initial load or
     * since its first event, and leaves it only when its job finishes. Only a lost partition (its owner and
     * every backup gone at once) breaks that: after one, every miss reads the store again, as before.
     */
    public static final class Units implements MapLoader<String, WorkUnit> {
        private final Store store;
        private final Map<String, Map<Integer, WorkUnit>> stored = new ConcurrentHashMap<>();
        /** While the initial load runs (only then are a job's stored units read at once and cached), or after a partition was lost. */
        private final Misses misses = new Misses();

        public Units(Store store) {
            this.store = store;
        }

        @Override
        public WorkUnit load(String key) {
            return loadAll(List.of(key)).get(key);
        }

        @Override
        public Map<String, WorkUnit> loadAll(Collection<String> keys) {
            Map<String, WorkUnit> out = new HashMap<>();
            if (!misses.mayBeStored()) {
                return out; // absent after the initial load: never touched, implicit
            }
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
                WorkUnit u = misses.initialLoad() ? stored.computeIfAbsent(jobId, store::units).get(index)
                        : store.unit(jobId, index).orElse(null);
                if (u != null) {
                    out.put(key, u);
                }
            }
            return out;
        }

        /** The keys of the stored units of every job not finished (cached for {@link #loadAll}). */
        @Override
        public Iterable<String> loadAllKeys() {
            stored.clear();
            misses.loading();
            List<String> keys = new ArrayList<>();
            for (JobRecord j : store.jobs()) {
                if (!j.state().terminal()) {
                    Map<Integer, WorkUnit> units = store.units(j.id());
                    stored.put(j.id(), units);
                    for (Integer i : units.keySet()) {
                        if (i >= 0 && i < j.workUnits()) {
                            keys.add(WorkUnit.id(j.id(), i));
                        }
                    }
                }
            }
            return keys;
        }

        /** Forgets what the initial load cached; later misses are implicit units (until a partition is lost). */
        public void loaded() {
            misses.loaded();
            stored.clear();
        }

        /** A partition of the map was lost: from now on a miss reads the store. */
        public void partitionLost() {
            misses.partitionLost();
        }
    }

    /**
     * Loads every job when the cluster starts. Afterwards the map holds every job (a submission writes it there; no
     * job ever leaves it), so a miss is an unknown id (a URL's, a forged task id's) and is answered from memory, as the
     * workers' loader does: the map's operations need not be offloaded. Only after a partition of the map was lost
     * does a miss read the store again.
     */
    public static final class Jobs implements MapLoader<String, JobRecord> {
        private final Store store;
        private final Misses misses = new Misses();

        public Jobs(Store store) {
            this.store = store;
        }

        @Override
        public JobRecord load(String key) {
            return misses.mayBeStored() ? store.job(key).map(this::recovered).orElse(null) : null;
        }

        @Override
        public Map<String, JobRecord> loadAll(Collection<String> keys) {
            Map<String, JobRecord> out = new HashMap<>();
            if (!misses.mayBeStored()) {
                return out;
            }
            for (String k : keys) {
                store.job(k).ifPresent(j -> out.put(k, recovered(j)));
            }
            return out;
        }

        /** The initial load is over: later misses are answered from memory. */
        public void loaded() {
            misses.loaded();
        }

        /** A partition of the map was lost: from now on a miss reads the store. */
        public void partitionLost() {
            misses.partitionLost();
        }

        /**
         * A job stored QUEUED that has stored units was running when its peers stopped: its QUEUED → RUNNING record
         * is written behind ({@code Issuer}), so a crash may lose it while the units its reports wrote survive. It
         * loads as RUNNING, started at its first stored issue. A QUEUED job never issued has no unit rows (a fresh
         * unit is implicit), so the check reads nothing for it.
         */
        private JobRecord recovered(JobRecord j) {
            if (j.state() != JobState.QUEUED) {
                return j;
            }
            Map<Integer, WorkUnit> units = store.units(j.id());
            if (units.isEmpty()) {
                return j;
            }
            long started = units.values().stream().flatMap(u -> u.tasks().stream()).mapToLong(t -> t.sentAt())
                    .filter(at -> at > 0).min().orElse(j.submittedAt());
            return j.withState(JobState.RUNNING, started, null);
        }

        @Override
        public Iterable<String> loadAllKeys() {
            misses.loading(); // as the units' loader: until loaded() again, a miss may be a stored job
            return store.jobs().stream().map(JobRecord::id).toList();
        }
    }

    /**
     * Loads every registered worker when the cluster starts. Afterwards the map holds every worker (registration
     * writes it there and to the store), so a worker id it does not hold (an unknown or forged one in a token) is
     * answered from memory: no store read, so the map's operations need not be offloaded from the partition threads
     * (ClusterNode). Only once a partition of the map was lost (its owner and backups gone at once) may a miss be a
     * stored worker again: from then on a miss costs one primary-key probe of the store.
     */
    public static final class Workers implements MapLoader<String, WorkerRecord> {
        private final Store store;
        /** The table as read for the initial load; null after {@link #loaded()}. */
        private volatile Map<String, WorkerRecord> all;
        private final Misses misses = new Misses();

        public Workers(Store store) {
            this.store = store;
        }

        @Override
        public WorkerRecord load(String key) {
            Map<String, WorkerRecord> snapshot = all;
            if (snapshot != null) {
                return snapshot.get(key);
            }
            return misses.mayBeStored() ? store.worker(key).orElse(null) : null;
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
            misses.loading(); // as the units' loader: until loaded() again, a miss may be a stored worker
            return List.copyOf(m.keySet());
        }

        /** Forgets what the initial load cached; later misses are answered from memory (see the class). */
        public void loaded() {
            all = null;
            misses.loaded();
        }

        /** A partition of the map was lost: from now on a miss reads the store. */
        public void partitionLost() {
            misses.partitionLost();
        }
    }

    /**
     * When a map's miss may be a stored record: while the cluster's initial load runs, and once a partition of the map
     * was lost (its owner and every backup gone at once). Otherwise the map holds every record there is, and a miss is
     * answered from memory: no store read on a partition thread, so the map's operations need no offloading.
     */
    static final class Misses {
        private volatile boolean initialLoad = true;
        private volatile boolean partitionLost;

        boolean mayBeStored() {
            return initialLoad || partitionLost;
        }

        boolean initialLoad() {
            return initialLoad;
        }

        /** The map is (re)loading its keys: misses may be stored records until {@link #loaded()}. */
        void loading() {
            initialLoad = true;
        }

        void loaded() {
            initialLoad = false;
        }

        void partitionLost() {
            partitionLost = true;
        }
    }
}
