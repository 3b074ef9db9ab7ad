package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.jobs.JobService;
import org.enjambre.workunits.app.App;

import java.util.Optional;

/** The jobs as the scheduling components need them: look-up, the app that runs them, the first issue. */
public interface JobDirectory {

    /** The job's record, possibly one entry event (milliseconds) behind the cluster's: for the hot path. */
    Optional<JobRecord> find(String id);

    /** The job's record as the cluster has it now: where a just-ended job must be seen ended (a repeated report). */
    default Optional<JobRecord> findNow(String id) {
        return find(id);
    }

    /** The app called {@code name}; throws when there is none (a job's app always exists). */
    App app(String name);

    /** Marks a queued job running (its first task was issued); the new record when it changed. */
    Optional<JobRecord> markRunning(String id);

    /** The cluster's jobs through {@link JobService}, read from this peer's recent records ({@link JobService#findRecent}). */
    static JobDirectory of(JobService jobs) {
        return new JobDirectory() {
            @Override
            public Optional<JobRecord> find(String id) {
                return jobs.findRecent(id);
            }

            @Override
            public Optional<JobRecord> findNow(String id) {
                return jobs.find(id);
            }

            @Override
            public App app(String name) {
                return jobs.apps().get(name);
            }

            @Override
            public Optional<JobRecord> markRunning(String id) {
                return jobs.markRunning(id);
            }
        };
    }
}
