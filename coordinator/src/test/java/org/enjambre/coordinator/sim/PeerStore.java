package org.enjambre.coordinator.sim;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.coordinator.sched.Durable;
import org.enjambre.coordinator.store.Store;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.model.WorkUnit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One peer's side of the store, with the JDBC store's semantics: {@link #writeNow} is committed before it
 * returns; {@link #writeLater} waits {@link Store#DEFERRED_WRITE_DELAY} in this peer's memory and is lost
 * when the peer is killed. A peer armed to die "mid-write" dies at its next commit, before it. The scheduling
 * daemons see it as their {@link Durable}, the assimilator as its {@link Store}; reads go to the shared store.
 */
final class PeerStore implements Durable, Store {
    /**
     * Thrown into the request a peer was serving when it died. An {@link Error} (as {@code ThreadDeath} was), so
     * the production code's {@code catch (RuntimeException)} blocks do not run on in a peer that is dead:
     * a killed process runs nothing more.
     */
    static final class PeerDied extends Error {
        PeerDied(String message) {
            super(message, null, false, false);
        }
    }

    private final SimPeer peer;
    private final MemStore shared;
    private final List<Store.Batch> deferred = new ArrayList<>();

    PeerStore(SimPeer peer, MemStore shared) {
        this.peer = peer;
        this.shared = shared;
    }

    @Override
    public void writeNow(Store.Batch batch) {
        if (!peer.alive()) {
            throw new PeerDied("peer " + peer.name() + " is dead");
        }
        if (peer.dieAtNextWrite) {
            peer.swarm().killPeer(peer, "killed mid-write");
            if (!peer.alive()) {
                throw new PeerDied("peer " + peer.name() + " died before its commit");
            }
        }
        shared.write(batch);
    }

    @Override
    public CompletableFuture<Void> write(Store.Batch batch) {
        writeNow(batch);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void writeLater(Store.Batch batch) {
        if (batch.isEmpty()) {
            return;
        }
        boolean first = deferred.isEmpty();
        deferred.add(batch);
        if (first) {
            int incarnation = peer.incarnation();
            peer.swarm().after(Store.DEFERRED_WRITE_DELAY.toMillis(), () -> {
                if (peer.alive() && peer.incarnation() == incarnation) {
                    flush();
                }
            });
        }
    }

    /** Commits what waits. */
    void flush() {
        List<Store.Batch> due = new ArrayList<>(deferred);
        deferred.clear();
        due.forEach(shared::write);
    }

    /** Forgets what waits, as {@code kill -9} does. */
    @Override
    public void crash() {
        deferred.clear();
    }

    @Override
    public void close() {
        flush();
    }

    @Override
    public Optional<WorkUnit> unit(String jobId, int index) {
        return shared.unit(jobId, index);
    }

    @Override
    public List<JobRecord> jobs() {
        return shared.jobs();
    }

    @Override
    public Optional<JobRecord> job(String id) {
        return shared.job(id);
    }

    @Override
    public Map<Integer, WorkUnit> units(String jobId) {
        return shared.units(jobId);
    }

    @Override
    public Map<Integer, Long> unitVersions(String jobId, int from, int to) {
        return shared.unitVersions(jobId, from, to);
    }

    @Override
    public List<WorkerRecord> workers() {
        return shared.workers();
    }

    @Override
    public Optional<WorkerRecord> worker(String id) {
        return shared.worker(id);
    }

    @Override
    public void putResult(String jobId, MergedResult result) {
        shared.putResult(jobId, result);
    }

    @Override
    public Optional<MergedResult> result(String jobId) {
        return shared.result(jobId);
    }

    @Override
    public void putBlob(String sha256, byte[] body) {
        shared.putBlob(sha256, body);
    }

    @Override
    public Optional<byte[]> blob(String sha256) {
        return shared.blob(sha256);
    }
}
