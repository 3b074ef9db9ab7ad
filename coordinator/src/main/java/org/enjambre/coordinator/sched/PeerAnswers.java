package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.cluster.PeerQuestion;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.workunits.model.WorkerRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How this peer answers the other peers' {@link PeerQuestion}s, from what it owns: counts and ready units (work
 * stealing) from its {@link LocalIndex}, credibility and releases by its daemons. Built from ports, so the
 * whole-swarm simulation answers with this class too; only {@link #status()} (Hazelcast's view of this member)
 * comes from the wiring. Called on Hazelcast executor threads in production.
 */
public final class PeerAnswers implements PeerQuestion.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(PeerAnswers.class);
    /** Ready units looked at per job when another peer asks for work to steal. */
    private static final int STEAL_SCAN = 256;

    private final LocalIndex index;
    private final Function<String, JobRecord> jobs;
    private final Supplier<PeerQuestion.PeerStatus> status;
    private final Supplier<Scheduler> scheduler;
    private final BooleanSupplier closed;

    /**
     * @param jobs      the cluster's job record of an id, or {@code null}
     * @param status    this member's status ({@link PeerQuestion.Describe})
     * @param scheduler this peer's daemons; may answer null until the peer is fully up
     * @param closed    whether this peer is shutting down (failures are then expected, not logged)
     */
    public PeerAnswers(LocalIndex index, Function<String, JobRecord> jobs, Supplier<PeerQuestion.PeerStatus> status,
                       Supplier<Scheduler> scheduler, BooleanSupplier closed) {
        this.index = index;
        this.jobs = jobs;
        this.status = status;
        this.scheduler = scheduler;
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
        return status.get();
    }

    /** Work stealing: up to {@code n} ready units this peer owns, of running jobs of {@code apps}, that {@code ref} may take. */
    @Override
    public String[] readyUnits(WorkerRef ref, Set<String> apps, int n) {
        List<String> keys = new ArrayList<>();
        for (String jobId : index.readyJobs()) {
            JobRecord j = jobs.apply(jobId);
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
