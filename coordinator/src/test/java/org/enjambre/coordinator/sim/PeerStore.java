package org.enjambre.coordinator.sim;

import org.enjambre.coordinator.sched.Durable;
import org.enjambre.coordinator.store.Store;
import org.enjambre.workunits.model.WorkUnit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One peer's side of the store, with the JDBC store's semantics: {@link #writeNow} is committed before it
 * returns; {@link #writeLater} waits {@link Store#DEFERRED_WRITE_DELAY} in this peer's memory and is lost
 * when the peer is killed. A peer armed to die "mid-write" dies at its next commit, before it.
 */
final class PeerStore implements Durable {
    /** Thrown into the request a peer was serving when it died. */
    static final class PeerDied extends RuntimeException {
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
    void crash() {
        deferred.clear();
    }

    @Override
    public Optional<WorkUnit> unit(String jobId, int index) {
        return shared.unit(jobId, index);
    }
}
