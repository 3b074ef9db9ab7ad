package org.enjambre.coordinator.sched.mem;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.sched.JobDirectory;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.model.JobState;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Jobs in memory, for component tests and the whole-swarm simulation. Thread-safe (one lock). */
public final class MemJobs implements JobDirectory {
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
