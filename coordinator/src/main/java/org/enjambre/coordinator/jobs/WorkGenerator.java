package org.enjambre.coordinator.jobs;

import org.enjambre.coordinator.model.JobRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.map.IMap;
import org.enjambre.coordinator.errors.InvalidInputException;
import org.enjambre.coordinator.errors.UnavailableException;
import org.enjambre.coordinator.store.Store;
import org.enjambre.coordinator.workers.WorkerService;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.spec.JobSpec;
import org.enjambre.workunits.spec.JobSpecParser;
import org.enjambre.workunits.spec.SpecException;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * BOINC's work generator: validates a submitted spec, checks that the cluster can hold the job, stores
 * the job and creates its units in the cluster.
 *
 * <p>Invariant: a stored job row is one a restart can load — it passed the spec parser's limits and the
 * heap check before it was written ({@link UnloadableJobs} fails, at start, rows that no longer do).
 * Units are created after the row, in chunks of {@link #CHUNK} with at most {@link #CHUNKS_IN_FLIGHT}
 * in flight, so the memory this takes does not grow with the unit count; a unit not created before a
 * crash is fresh, and the loader makes it anew from the row.
 */
public final class WorkGenerator {
    static final int CHUNK = 10_000;
    private static final int CHUNKS_IN_FLIGHT = 3;

    private final IMap<String, JobRecord> jobs;
    private final IMap<String, WorkUnit> units;
    private final Store store;
    private final JobSpecParser parser;
    private final HeapCapacity capacity;
    private final Assimilator assimilator;
    private final Clock clock;
    private final AppRegistry apps;

    WorkGenerator(IMap<String, JobRecord> jobs, IMap<String, WorkUnit> units, Store store, AppRegistry apps,
                  HeapCapacity capacity, Assimilator assimilator, Clock clock) {
        this.jobs = jobs;
        this.units = units;
        this.store = store;
        this.parser = new JobSpecParser(apps);
        this.apps = apps;
        this.capacity = capacity;
        this.assimilator = assimilator;
        this.clock = clock;
    }

    /** Validates and accepts a job: durable before this returns. */
    JobRecord submit(JsonNode body) {
        JobSpec spec;
        try {
            spec = parser.parse(body);
        } catch (SpecException e) {
            throw new InvalidInputException("INVALID_SPEC", e.getMessage(), e.field());
        }
        checkFiles(spec);
        capacity.check(spec.workUnits());
        long now = clock.millis();
        String id = "j-" + WorkerService.randomId(10);
        JobRecord job = new JobRecord(id, spec.name(), spec.app(), JobSpecParser.toJson(spec).toString(), spec.workUnits(),
                spec.priority(), JobState.QUEUED, now, 0, 0, null, null, 1);
        store.writeNow(new Store.Batch(List.of(), List.of(), List.of(job)));
        jobs.set(id, job);
        try {
            createUnits(id, spec);
        } catch (RuntimeException e) {
            // Nothing half-made stays queued: the job is failed (durably, its units dropped) and the client told.
            assimilator.finish(job, JobState.FAILED, "creating its units failed: " + e);
            throw new UnavailableException("UNAVAILABLE", "creating the units of job " + id + " failed (" + e
                    + "); the job is marked FAILED, submit it again later", 5);
        }
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

    /**
     * Puts the job's units into the cluster. Chunks are pipelined: this thread builds the next while the
     * partition threads store the last ones.
     */
    private void createUnits(String id, JobSpec spec) {
        ArrayDeque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
        for (int from = 0; from < spec.workUnits(); from += CHUNK) {
            Map<String, WorkUnit> chunk = new HashMap<>();
            for (int i = from; i < Math.min(spec.workUnits(), from + CHUNK); i++) {
                chunk.put(WorkUnit.id(id, i), WorkUnit.create(id, i, spec.redundancy()));
            }
            if (inFlight.size() >= CHUNKS_IN_FLIGHT) {
                inFlight.removeFirst().join();
            }
            inFlight.addLast(units.setAllAsync(chunk).toCompletableFuture());
        }
        inFlight.forEach(CompletableFuture::join);
    }
}
