package org.enjambre.coordinator;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import org.enjambre.coordinator.cluster.ClusterNode;
import org.enjambre.coordinator.jobs.JobSpecs;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.sched.LocalIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * Tells this peer's {@link LocalIndex} which jobs' never-touched units it owns: a job added to the cluster's
 * {@code jobs} map (accepted on any peer) is indexed by every peer, a job that finished is dropped, and a rebuild
 * (start, partitions moved, a peer came or went) indexes every running job again. A listener on every peer
 * ({@code addEntryListener}, not local: each peer owns some units of every job). When a job ends, this peer drops
 * its entries of the job, and later any entry of it (an issue that raced the job's end): no unit of a finished job
 * stays in memory.
 */
final class FreshJobs implements EntryAddedListener<String, JobRecord>, EntryUpdatedListener<String, JobRecord> {
    private final LocalIndex index;
    private final ClusterNode node;

    FreshJobs(LocalIndex index, ClusterNode node) {
        this.index = index;
        this.node = node;
        index.onStray(key -> node.units().deleteAsync(key));
    }

    @Override
    public void entryAdded(EntryEvent<String, JobRecord> e) {
        JobRecord j = e.getValue();
        if (j != null && !j.state().terminal()) {
            index.freshJob(job(j), node.ownsNow());
        }
    }

    @Override
    public void entryUpdated(EntryEvent<String, JobRecord> e) {
        JobRecord j = e.getValue();
        if (j != null && j.state().terminal()) {
            java.util.List<String> keys = index.jobEnded(j.id());
            if (!keys.isEmpty()) {
                node.unitTable().evict(new java.util.HashSet<>(keys)); // one operation per partition
            }
        }
    }

    /**
     * A job this peer accepted, indexed before its submitter hears the 201 when it is small enough: a worker that
     * fetches right after gets its units from this peer (other peers index theirs from the listener, a moment later).
     * Larger jobs are indexed by the listener only, so that accepting them stays fast (hashing a million keys takes
     * about a second).
     */
    static void accepted(LocalIndex index, ClusterNode node, JobRecord j) {
        if (j.workUnits() <= INDEX_AT_ONCE && !j.state().terminal()) {
            index.freshJob(job(j), node.ownsNow());
        }
    }

    /** Jobs of at most this many units are indexed by the accepting peer before it answers ({@link #accepted}). */
    static final int INDEX_AT_ONCE = 10_000;

    /** Rebuilds the index from the entries this peer owns and the fresh units of every running job. */
    static void rebuild(LocalIndex index, ClusterNode node) {
        List<LocalIndex.Job> running = new ArrayList<>();
        for (JobRecord j : node.jobs().values()) {
            if (!j.state().terminal()) {
                running.add(job(j));
            }
        }
        index.rebuild(() -> node.unitTable().getAll(new java.util.HashSet<>(node.units().localKeySet())), running, node.ownsNow());
    }

    private static LocalIndex.Job job(JobRecord j) {
        return new LocalIndex.Job(j.id(), j.workUnits(), JobSpecs.of(j).redundancy());
    }
}
