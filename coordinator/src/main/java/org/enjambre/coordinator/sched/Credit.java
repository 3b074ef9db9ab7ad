package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.cluster.UnitChange;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.jobs.JobSpecs;
import org.enjambre.coordinator.metrics.Metrics;
import org.enjambre.workunits.transition.Effect;
import org.enjambre.workunits.trust.Reputation.Evidence;


/**
 * Credit and history from what a unit change decided (BOINC's credit granting): a valid result earns its
 * worker the unit's cost, an invalid one or an error counts against it. Pure but for the metrics it counts.
 */
final class Credit {
    private final JobDirectory jobs;
    private final Metrics metrics;

    Credit(JobDirectory jobs, Metrics metrics) {
        this.jobs = jobs;
        this.metrics = metrics;
    }

    /** Adds to {@code deltas} (by worker id) what the change {@code c} of a unit of {@code job} means for its workers. */
    void credit(JobRecord job, UnitChange c, WorkerDeltas deltas) {
        for (Effect e : c.effects()) {
            if (e instanceof Effect.Judged j) {
                if (j.valid()) {
                    JobSpecs.Parsed spec = JobSpecs.of(job);
                    double credit = jobs.app(job.app()).cost(spec.input(), job.workUnits(), c.unit().index());
                    deltas.valid(j.workerId(), credit);
                } else {
                    deltas.evidence(j.workerId(), Evidence.INVALID);
                    metrics.disagreement();
                }
                metrics.validated(j.valid());
            } else if (e instanceof Effect.Errored err) {
                deltas.evidence(err.workerId(), Evidence.ERROR);
            } else if (e instanceof Effect.ReplicasCreated rc && c.unit().tasks().size() > c.unit().policy().replicas()) {
                metrics.replicasAdded(rc.count());
            }
        }
    }
}
