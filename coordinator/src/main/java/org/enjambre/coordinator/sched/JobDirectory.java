package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.jobs.JobService;
import org.enjambre.workunits.app.App;

import java.util.Optional;

/** The jobs as the scheduling components need them: look-up, the app that runs them, the first issue. */
public interface JobDirectory {

    Optional<JobRecord> find(String id);

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
