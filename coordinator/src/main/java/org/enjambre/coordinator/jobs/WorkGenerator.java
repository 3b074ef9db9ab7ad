package org.enjambre.coordinator.jobs;

import org.enjambre.coordinator.metrics.PathTrace;
import org.enjambre.coordinator.model.JobRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.map.IMap;
import org.enjambre.coordinator.errors.InvalidInputException;
import org.enjambre.coordinator.store.Store;
import org.enjambre.coordinator.workers.WorkerService;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.spec.JobSpec;
import org.enjambre.workunits.spec.JobSpecParser;
import org.enjambre.workunits.spec.SpecException;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * BOINC's work generator: validates a submitted spec, checks that the cluster can hold the job, stores
 * the job and creates its units in the cluster.
 *
 * <p>Invariant: a stored job row is one a restart can load — it passed the spec parser's limits and the
 * heap check before it was written ({@link UnloadableJobs} fails, at start, rows that no longer do).
 * No unit is created here: a job's units are implicit until their first issue (each peer indexes the
 * indices it owns from the job record, {@code LocalIndex.freshJob}; the issue makes the entry,
 * {@code UnitProcessor}), so accepting a job costs one row and one map entry whatever its size.
 */
public final class WorkGenerator {
    /** Keys handled at a time when a job's units are visited in bulk (cancelling a job's units). */
    static final int CHUNK = 10_000;

    private final IMap<String, JobRecord> jobs;
    private final Store store;
    private final JobSpecParser parser;
    private final HeapCapacity capacity;
    private final Clock clock;
    private volatile java.util.function.Consumer<JobRecord> accepted = j -> { };
    private final AppRegistry apps;

    WorkGenerator(IMap<String, JobRecord> jobs, Store store, AppRegistry apps,
                  HeapCapacity capacity, Clock clock) {
        this.jobs = jobs;
        this.store = store;
        this.parser = new JobSpecParser(apps);
        this.apps = apps;
        this.capacity = capacity;
        this.clock = clock;
    }

    /** Called with each job accepted here, after its record is in the cluster (the wiring indexes small jobs at once). */
    void onAccepted(java.util.function.Consumer<JobRecord> hook) {
        this.accepted = java.util.Objects.requireNonNull(hook, "hook");
    }

    /** Validates and accepts a job: durable before this returns. */
    JobRecord submit(JsonNode body) {
        JobSpec spec;
        try {
            spec = parser.parse(body);
        } catch (SpecException e) {
            throw new InvalidInputException("INVALID_SPEC", e.getMessage(), e.field());
        }
        PathTrace.mark("submit: spec parsed");
        checkFiles(spec);
        capacity.check(spec.workUnits());
        long now = clock.millis();
        String id = "j-" + WorkerService.randomId(10);
        JobRecord job = new JobRecord(id, spec.name(), spec.app(), JobSpecParser.toJson(spec).toString(), spec.workUnits(),
                spec.priority(), JobState.QUEUED, now, 0, 0, null, null, 1);
        store.writeNow(new Store.Batch(List.of(), List.of(), List.of(job)));
        PathTrace.mark("submit: journaled");
        jobs.set(id, job); // every peer indexes the fresh units it owns from this record (LocalIndex.freshJob)
        PathTrace.mark("submit: job in the cluster map");
        accepted.accept(job);
        PathTrace.mark("submit: units indexed");
        return job;
    }

    /** Refuses a job that names a file the store does not hold whole: 400 naming the field ({@code input.files[2]}). */
    private void checkFiles(JobSpec spec) {
        for (Map.Entry<String, String> f : apps.get(spec.app()).inputFiles(spec.input()).entrySet()) {
            var file = store.file(f.getValue());
            if (file.isEmpty()) {
                throw new InvalidInputException("UNKNOWN_FILE", f.getKey() + ": no file " + f.getValue()
                        + " was uploaded (enjambre data upload PATH prints the ids)", f.getKey());
            }
            if (!file.get().complete()) {
                throw new InvalidInputException("FILE_INCOMPLETE", f.getKey() + ": file " + f.getValue()
                        + " is missing chunks; finish its upload first", f.getKey());
            }
        }
    }
}
