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

    /** A peer alone: nothing to steal, tells go to this peer's own handler. */
    static Peers alone(java.util.function.BiConsumer<String, Double> self) {
        return new Peers() {
            @Override
            public List<String> readyElsewhere(WorkerRef worker, Set<String> apps, int n) {
                return List.of();
            }

            @Override
            public void credibilityRaised(String workerId, double credibility) {
                self.accept(workerId, credibility);
            }
        };
    }
}
