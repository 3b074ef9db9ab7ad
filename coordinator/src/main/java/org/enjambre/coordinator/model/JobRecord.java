package org.enjambre.coordinator.model;

import org.enjambre.workunits.model.JobState;

/**
 * A job as the cluster keeps it (map {@code jobs}, table {@code jobs}). Immutable; counters of units
 * by state are not kept here but derived from the units themselves.
 *
 * @param spec the validated spec, as JSON with every default written out
 */
public record JobRecord(String id, String name, String app, String spec, int workUnits, int priority, JobState state,
                        long submittedAt, long startedAt, long finishedAt, String failure, String resultType,
                        long version) {

    public JobRecord withState(JobState next, long now, String why) {
        long started = startedAt == 0 && next != JobState.QUEUED ? now : startedAt;
        long finished = next.terminal() ? now : finishedAt;
        return new JobRecord(id, name, app, spec, workUnits, priority, next, submittedAt, started, finished,
                why == null ? failure : why, resultType, version + 1);
    }

    public JobRecord completed(String contentType, long now) {
        return new JobRecord(id, name, app, spec, workUnits, priority, JobState.COMPLETED, submittedAt,
                startedAt == 0 ? now : startedAt, now, null, contentType, version + 1);
    }
}
