package org.enjambre.coordinator.jobs;

import org.enjambre.coordinator.model.JobRecord;
/**
 * Where a job view reads a job's unit and task counts from: {@link JobService} asks the peers for one job
 * (two questions); {@link JobService#countsOf} asks once for a whole list of jobs.
 */
public interface CountsOf {
    /** Units of the job by {@link org.enjambre.workunits.model.UnitState} ordinal, over all peers. */
    long[] unitCounts(JobRecord job);

    /** Task counters of the job ({@link JobCounters} indexes), over all peers. */
    long[] taskCounts(JobRecord job);
}
