package org.enjambre.coordinator.sim;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.sched.mem.MemDurable;
import org.enjambre.coordinator.store.Store;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.model.WorkUnit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The cluster's shared durable store (PostgreSQL when peers share one) for the simulation: committed
 * records in a {@link MemDurable}, results and nothing else. Each peer defers its own writes
 * ({@link PeerStore}); this store only ever sees commits. Lets the real {@code cluster.Loaders} read it.
 * A job is final for the invariants when its first COMPLETED / FAILED / CANCELLED record commits here.
 */
final class MemStore implements Store {
    final MemDurable committed = new MemDurable();
    private final Map<String, MergedResult> results = new TreeMap<>();
    private final Consumer<JobRecord> finished;

    /** {@code finished} hears of each job once, when its first final record is committed. */
    MemStore(Consumer<JobRecord> finished) {
        this.finished = finished;
    }

    @Override
    public CompletableFuture<Void> write(Batch batch) {
        List<JobRecord> newlyFinal = new ArrayList<>();
        for (JobRecord j : batch.jobs()) {
            JobRecord before = committed.jobs().get(j.id());
            if (j.state().terminal() && (before == null || !before.state().terminal())) {
                newlyFinal.add(j);
            }
        }
        batch.results().forEach(r -> results.putIfAbsent(r.jobId(), r.result()));
        committed.writeNow(batch);
        newlyFinal.forEach(finished);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void writeLater(Batch batch) {
        throw new UnsupportedOperationException("peers defer their own writes (PeerStore)");
    }

    @Override
    public List<JobRecord> jobs() {
        return new ArrayList<>(committed.jobs().values());
    }

    @Override
    public Optional<JobRecord> job(String id) {
        return Optional.ofNullable(committed.jobs().get(id));
    }

    @Override
    public Map<Integer, WorkUnit> units(String jobId) {
        Map<Integer, WorkUnit> out = new TreeMap<>();
        committed.units().forEach((k, u) -> {
            if (u.jobId().equals(jobId)) {
                out.put(u.index(), u);
            }
        });
        return out;
    }

    @Override
    public Optional<WorkUnit> unit(String jobId, int index) {
        return committed.unit(jobId, index);
    }

    @Override
    public Map<Integer, Long> unitVersions(String jobId, int from, int to) {
        Map<Integer, Long> out = new TreeMap<>();
        units(jobId).forEach((i, u) -> {
            if (i >= from && i < to) {
                out.put(i, u.version());
            }
        });
        return out;
    }

    @Override
    public List<WorkerRecord> workers() {
        return new ArrayList<>(committed.workers().values());
    }

    @Override
    public java.util.Optional<WorkerRecord> worker(String id) {
        return java.util.Optional.ofNullable(committed.workers().get(id));
    }

    @Override
    public void putResult(String jobId, MergedResult result) {
        results.putIfAbsent(jobId, result);
    }

    @Override
    public Optional<MergedResult> result(String jobId) {
        return Optional.ofNullable(results.get(jobId));
    }

    @Override
    public void putBlob(String sha256, byte[] body) {
        throw new UnsupportedOperationException("no blobs in the simulation");
    }

    @Override
    public Optional<byte[]> blob(String sha256) {
        return Optional.empty();
    }

    @Override
    public void close() {
    }

    @Override
    public void crash() {
    }
}
