package org.enjambre.coordinator;

import org.enjambre.coordinator.cluster.ClusterNode;
import org.enjambre.coordinator.cluster.PeerQuestion;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.metrics.Metrics;
import org.enjambre.coordinator.sched.LocalIndex;
import org.enjambre.coordinator.sched.Scheduler;
import org.enjambre.coordinator.workers.WorkerService;
import org.enjambre.workunits.model.WorkerRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * How this peer answers the other peers' {@link PeerQuestion}s, from what it owns. In the wiring package, not in
 * {@code cluster}: it reads the scheduler's index and calls its daemons, and {@code sched} already depends on
 * {@code cluster}. Called on Hazelcast executor threads.
 */
final class PeerAnswers implements PeerQuestion.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(PeerAnswers.class);
    /** Ready units looked at per job when another peer asks for work to steal. */
    private static final int STEAL_SCAN = 256;

    private final ClusterNode node;
    private final LocalIndex index;
    private final Metrics metrics;
    private final WorkerService workers;
    private final Supplier<Scheduler> scheduler;
    private final Supplier<String> url;
    private final BooleanSupplier closed;

    /** {@code scheduler} and {@code url} may answer null until the peer is fully up. */
    PeerAnswers(ClusterNode node, LocalIndex index, Metrics metrics, WorkerService workers, Supplier<Scheduler> scheduler,
                Supplier<String> url, BooleanSupplier closed) {
        this.node = node;
        this.index = index;
        this.metrics = metrics;
        this.workers = workers;
        this.scheduler = scheduler;
        this.url = url;
        this.closed = closed;
    }

    @Override
    public long[] unitCounts(String jobId) {
        return index.counts(jobId);
    }

    @Override
    public long[] taskCounts(String jobId) {
        return index.taskCounts(jobId);
    }

    @Override
    public PeerQuestion.JobCounts jobCounts(Set<String> jobIds) {
        Map<String, PeerQuestion.Counts> out = new HashMap<>();
        for (String id : jobIds) {
            long[] u = index.counts(id);
            long[] t = index.taskCounts(id);
            if (any(u) || any(t)) {
                out.put(id, new PeerQuestion.Counts(u, t));
            }
        }
        return new PeerQuestion.JobCounts(out);
    }

    private static boolean any(long[] a) {
        for (long v : a) {
            if (v != 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public PeerQuestion.PeerStatus status() {
        return new PeerQuestion.PeerStatus(node.hazelcast().getCluster().getLocalMember().getUuid().toString(),
                node.units().getLocalMapStats().getOwnedEntryCount(), index.readyCount(), (long) metrics.reportedTotal(),
                url.get(), workers.callingHere());
    }

    @Override
    public String[] readyUnits(WorkerRef ref, Set<String> apps, int n) {
        List<String> keys = new ArrayList<>();
        for (String jobId : index.readyJobs()) {
            JobRecord j = node.jobs().get(jobId);
            if (j == null || j.state().terminal() || !apps.contains(j.app())) {
                continue;
            }
            for (LocalIndex.Ready r : index.ready(jobId, ref, n - keys.size(), STEAL_SCAN)) {
                keys.add(r.key());
            }
            if (keys.size() >= n) {
                break;
            }
        }
        return keys.toArray(new String[0]);
    }

    @Override
    public void credibilityRaised(String workerId, double credibility) {
        try {
            scheduler.get().credibility().revalidate(workerId, credibility);
        } catch (RuntimeException e) {
            if (!closed.getAsBoolean()) {
                LOG.warn("revalidating the results of worker {} failed", workerId, e);
            }
        }
    }

    @Override
    public int releaseReplicas(String workerId, Set<String> keep, String reason) {
        return scheduler.get().releaser().release(workerId, keep, reason);
    }
}
