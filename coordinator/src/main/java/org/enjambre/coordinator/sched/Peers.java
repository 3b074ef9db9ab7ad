package org.enjambre.coordinator.sched;

import org.enjambre.workunits.model.WorkerRef;

import java.util.List;
import java.util.Set;

/**
 * What the scheduling components ask of and tell the other coordinator peers. Implemented over the
 * cluster's peer protocol in production, by the simulation's network in a simulated swarm.
 */
public interface Peers {

    /** Keys of up to {@code n} ready units that other peers own and {@code worker} may take (work stealing). */
    List<String> readyElsewhere(WorkerRef worker, Set<String> apps, int n);

    /** Tells every peer (this one too) that a worker's credibility rose, without waiting. */
    void credibilityRaised(String workerId, double credibility);

    /**
     * Asks every peer (this one too) to release the replicas {@code workerId} holds in progress on the units it
     * owns, except the task ids in {@code keep} ({@link Releaser}); returns how many were released in all.
     */
    int releaseEverywhere(String workerId, Set<String> keep, String reason);
}
