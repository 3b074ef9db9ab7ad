package org.enjambre.coordinator.sim;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.jobs.JobSpecs;
import org.enjambre.coordinator.store.Store;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.transition.Event;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The job-level steps of {@code jobs.JobService} (BOINC's assimilator) as the simulation runs them: a unit
 * that finished on its owner queues a check of its job there; every peer sweeps the running jobs every 5 s;
 * a check sums the peers' index counts (as {@code PeerQueries.sum} does), fails the job on a failed unit,
 * and when every unit is DONE merges the canonical outputs with the real app's merger, stores the result and
 * the final units, then marks the job COMPLETED and drops its units from the table.
 *
 * <p>A model, not the production class: the assimilator still works on Hazelcast maps. Keep it in step.
 */
final class SimAssimilator {
    private final Swarm swarm;

    SimAssimilator(Swarm swarm) {
        this.swarm = swarm;
    }

    void unitFinished(SimPeer peer, WorkUnit unit) {
        peer.later(swarm.random().nextLong(1, 50), () -> check(peer, unit.jobId()));
    }

    int checkAll(SimPeer peer) {
        int changed = 0;
        for (String id : swarm.jobIds()) {
            changed += check(peer, id) ? 1 : 0;
        }
        return changed;
    }

    /** Returns whether the job finished. */
    private boolean check(SimPeer peer, String jobId) {
        JobRecord job = swarm.jobs().find(jobId).orElse(null);
        if (job == null || job.state().terminal()) {
            return false;
        }
        long[] c = new long[UnitState.values().length];
        for (SimPeer p : swarm.livePeers()) {
            long[] n = p.index().counts(jobId);
            for (int i = 0; i < c.length; i++) {
                c[i] += n[i];
            }
        }
        List<WorkUnit> units = units(job);
        if (c[UnitState.FAILED.ordinal()] > 0) {
            for (WorkUnit u : units) {
                if (u.state() == UnitState.FAILED) {
                    finish(peer, job, JobState.FAILED, "unit " + u.index() + " failed: " + u.failure());
                    return true;
                }
            }
        }
        if (c[UnitState.DONE.ordinal()] < job.workUnits()) {
            return false;
        }
        App app = swarm.apps().get(job.app());
        Merger merger = app.merger(JobSpecs.of(job).input(), job.workUnits());
        List<WorkUnit> behind = new ArrayList<>();
        Map<Integer, Long> stored = swarm.store().unitVersions(jobId, 0, job.workUnits());
        try {
            for (WorkUnit u : units) {
                if (u.state() != UnitState.DONE || u.canonicalOutput().isEmpty()) {
                    return false; // a count ran ahead of the table
                }
                merger.accept(u.index(), u.canonicalOutput().get());
                Long v = stored.get(u.index());
                if (v == null || v < u.version()) {
                    behind.add(u);
                }
            }
            peer.store().writeNow(Store.Batch.units(behind));
            swarm.store().putResult(jobId, merger.finish());
        } catch (PeerStore.PeerDied e) {
            throw e;
        } catch (Exception e) {
            finish(peer, job, JobState.FAILED, "merging the results failed: " + e.getMessage());
            return true;
        }
        JobRecord done = job.completed("application/json", swarm.now());
        swarm.jobs().put(done);
        peer.store().writeNow(new Store.Batch(List.of(), List.of(), List.of(done)));
        swarm.jobFinished(done);
        evict(job);
        return true;
    }

    private void finish(SimPeer peer, JobRecord job, JobState state, String why) {
        JobRecord after = job.withState(state, swarm.now(), why);
        swarm.jobs().put(after);
        peer.store().writeNow(new Store.Batch(List.of(), List.of(), List.of(after)));
        swarm.jobFinished(after);
        for (int i = 0; i < job.workUnits(); i++) {
            swarm.table().apply(WorkUnit.id(job.id(), i), job.app(), new Event.Cancel(why, swarm.now()));
        }
        evict(job);
    }

    private void evict(JobRecord job) {
        for (int i = 0; i < job.workUnits(); i++) {
            swarm.table().remove(WorkUnit.id(job.id(), i));
        }
    }

    /** The job's units in the table; a missing one is fresh (as {@code JobService.units} reads them). */
    private List<WorkUnit> units(JobRecord job) {
        List<WorkUnit> out = new ArrayList<>();
        for (int i = 0; i < job.workUnits(); i++) {
            WorkUnit u = swarm.table().get(WorkUnit.id(job.id(), i));
            out.add(u != null ? u : WorkUnit.create(job.id(), i, JobSpecs.of(job).redundancy()));
        }
        return out;
    }
}
