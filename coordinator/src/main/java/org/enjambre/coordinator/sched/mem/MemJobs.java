package org.enjambre.coordinator.sched.mem;

import org.enjambre.coordinator.cluster.RecordProcessor;
import org.enjambre.coordinator.jobs.JobTable;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.sched.JobDirectory;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.model.JobState;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Jobs in memory, for component tests and the whole-swarm simulation: the scheduler's {@link JobDirectory} and the
 * assimilator's {@link JobTable} over one map. Thread-safe (one lock).
 */
public final class MemJobs implements JobDirectory, JobTable {
    private final Map<String, JobRecord> jobs = new TreeMap<>();
    private final AppRegistry apps;
    private final Clock clock;

    public MemJobs(AppRegistry apps, Clock clock) {
        this.apps = apps;
        this.clock = clock;
    }

    /** Adds or replaces a job record (a job accepted, finished or cancelled). */
    public synchronized void put(JobRecord job) {
        jobs.put(job.id(), job);
    }

    @Override
    public synchronized Optional<JobRecord> find(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    @Override
    public synchronized Collection<JobRecord> all() {
        return new ArrayList<>(jobs.values());
    }

    @Override
    public synchronized JobRecord update(String id, RecordProcessor.Update<JobRecord> update) {
        JobRecord old = jobs.get(id);
        if (old == null) {
            return null;
        }
        JobRecord next = update.apply(old);
        jobs.put(id, next);
        return next;
    }

    @Override
    public App app(String name) {
        return apps.get(name);
    }

    @Override
    public synchronized Optional<JobRecord> markRunning(String id) {
        JobRecord j = jobs.get(id);
        if (j == null || j.state() != JobState.QUEUED) {
            return Optional.empty();
        }
        JobRecord running = j.withState(JobState.RUNNING, clock.millis(), null);
        jobs.put(id, running);
        return Optional.of(running);
    }
}
