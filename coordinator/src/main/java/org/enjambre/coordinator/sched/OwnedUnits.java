package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.cluster.UnitChange;
import org.enjambre.coordinator.cluster.UnitTable;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.store.Store;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.transition.Event;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Applies one event to many units (of any jobs, each job looked up once), credits the workers, and writes
 * the changes durably before returning: the common step of the deadline watcher, the credibility judge and
 * releasing a worker's replicas. Blocks (table and store): call it off event loops.
 */
final class OwnedUnits {
    private final UnitTable units;
    private final JobDirectory jobs;
    private final WorkerDirectory workers;
    private final Durable store;
    private final Credit credit;

    OwnedUnits(UnitTable units, JobDirectory jobs, WorkerDirectory workers, Durable store, Credit credit) {
        this.units = units;
        this.jobs = jobs;
        this.workers = workers;
        this.store = store;
        this.credit = credit;
    }

    /** Applies {@code event} to the units at {@code keys}; returns the accepted changes, written durably. */
    List<UnitChange> apply(List<String> keys, Event event) {
        List<UnitTable.Step> steps = new ArrayList<>();
        Map<String, Optional<JobRecord>> found = new HashMap<>();
        for (String key : keys) {
            Optional<JobRecord> job = found.computeIfAbsent(jobOf(key), jobs::find);
            if (job.isPresent()) {
                steps.add(new UnitTable.Step(key, job.get().app(), event, null));
            }
        }
        List<UnitChange> changes = new ArrayList<>();
        List<WorkUnit> changed = new ArrayList<>();
        WorkerDeltas deltas = new WorkerDeltas();
        for (UnitChange c : units.applyEach(steps)) {
            if (c.accepted() && c.changed()) {
                changes.add(c);
                changed.add(c.unit());
                found.get(c.unit().jobId()).ifPresent(job -> credit.credit(job, c, deltas));
            }
        }
        List<WorkerRecord> records = workers.apply(deltas.stats());
        store.writeNow(new Store.Batch(changed, records, List.of()));
        return changes;
    }

    /** The job id of a unit key {@code jobId/index}. */
    static String jobOf(String key) {
        return key.substring(0, key.lastIndexOf('/'));
    }
}
