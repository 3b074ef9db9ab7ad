package org.enjambre.coordinator;

import org.enjambre.coordinator.cluster.ClusterNode;
import org.enjambre.coordinator.jobs.UnitCounts;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.metrics.Metrics;
import org.enjambre.coordinator.sched.LocalIndex;
import org.enjambre.coordinator.store.Store;
import org.enjambre.coordinator.workers.WorkerService;
import org.enjambre.workunits.model.JobState;

/**
 * The gauges and counters a peer exposes on {@code /metrics} (docs/metrics.md). In the wiring package because it
 * reads the scheduler's index, the cluster and the store, which {@code metrics} (a leaf they all use) must not import.
 */
final class Gauges {
    private Gauges() {
    }

    static void register(Metrics metrics, ClusterNode node, LocalIndex index, WorkerService workers, Store store) {
        for (String s : UnitCounts.shownStates()) {
            metrics.gauge("enjambre.units", "Work units owned by this peer, by state (WAITING: results wait, no replica in progress)",
                    "state", s, () -> unitsOfRunningJobs(node, index, c -> UnitCounts.shown(c, s)));
        }
        metrics.gauge("enjambre.units.no.eligible.worker", "Ready units owned by this peer that no connected worker may take"
                + " (placement)", "scope", "peer", () -> unitsOfRunningJobs(node, index, c -> c[UnitCounts.NO_ELIGIBLE_WORKER]));
        for (JobState s : JobState.values()) {
            metrics.gauge("enjambre.jobs", "Jobs in the cluster, by state", "state", s.name(),
                    () -> node.jobs().values().stream().filter(j -> j.state() == s).count());
        }
        metrics.gauge("enjambre.workers.online", "Workers seen in the last minute", "scope", "cluster",
                () -> workers.all().stream().filter(workers::online).count());
        metrics.gauge("enjambre.cluster.peers", "Coordinator peers in the cluster", "scope", "cluster",
                () -> node.hazelcast().getCluster().getMembers().size());
        metrics.gauge("enjambre.units.waiting.credibility",
                "Units owned by this peer whose results wait for credibility with no replica in progress", "scope", "peer",
                () -> index.waitingSince(Long.MAX_VALUE).size());
        metrics.gauge("enjambre.store.healthy", "1 while the store can write, 0 while writes fail", "scope", "peer", () -> store.writable() ? 1 : 0);
        metrics.counter("enjambre.store.write.failures", "Store writes (commits) that failed", "scope", "peer", store::writeFailures);
    }

    /** A slot of the index's counts, summed over the running jobs this peer owns units of. */
    private static long unitsOfRunningJobs(ClusterNode node, LocalIndex index, java.util.function.ToLongFunction<long[]> slot) {
        long n = 0;
        for (JobRecord j : node.jobs().values()) {
            if (!j.state().terminal()) {
                n += slot.applyAsLong(index.counts(j.id()));
            }
        }
        return n;
    }
}
