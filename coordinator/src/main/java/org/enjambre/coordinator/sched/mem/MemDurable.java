package org.enjambre.coordinator.sched.mem;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.sched.Durable;
import org.enjambre.coordinator.store.Store;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.WorkUnit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The store's semantics in memory: {@link #writeNow} is committed at once, {@link #writeLater} waits until
 * {@link #flush} (the simulation's "200 ms later") and is lost by {@link #crash}. A record is never replaced
 * by an older version (the JDBC store's {@code MERGE ... WHEN t.version < s.version}). Thread-safe.
 */
public final class MemDurable implements Durable {
    private final Map<String, WorkUnit> units = new TreeMap<>();
    private final Map<String, WorkerRecord> workers = new TreeMap<>();
    private final Map<String, JobRecord> jobs = new TreeMap<>();
    private final List<Store.Batch> deferred = new ArrayList<>();

    @Override
    public synchronized void writeNow(Store.Batch batch) {
        commit(batch);
    }

    @Override
    public synchronized void writeLater(Store.Batch batch) {
        if (!batch.isEmpty()) {
            deferred.add(batch);
        }
    }

    /** Commits every deferred batch. */
    public synchronized void flush() {
        deferred.forEach(this::commit);
        deferred.clear();
    }

    /** Forgets every deferred batch, as a crash of the peer would. */
    public synchronized void crash() {
        deferred.clear();
    }

    @Override
    public synchronized Optional<WorkUnit> unit(String jobId, int index) {
        return Optional.ofNullable(units.get(WorkUnit.id(jobId, index)));
    }

    /** Every committed unit, by key. */
    public synchronized Map<String, WorkUnit> units() {
        return new TreeMap<>(units);
    }

    /** Every committed worker record, by id. */
    public synchronized Map<String, WorkerRecord> workers() {
        return new TreeMap<>(workers);
    }

    /** Every committed job record, by id. */
    public synchronized Map<String, JobRecord> jobs() {
        return new TreeMap<>(jobs);
    }

    private void commit(Store.Batch b) {
        for (WorkUnit u : b.units()) {
            units.merge(WorkUnit.id(u.jobId(), u.index()), u, (old, now) -> old.version() < now.version() ? now : old);
        }
        for (WorkerRecord w : b.workers()) {
            workers.merge(w.id(), w, (old, now) -> old.version() < now.version() ? now : old);
        }
        for (JobRecord j : b.jobs()) {
            jobs.merge(j.id(), j, (old, now) -> old.version() < now.version() ? now : old);
        }
    }
}
