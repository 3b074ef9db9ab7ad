package org.enjambre.coordinator.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.map.IMap;
import org.enjambre.coordinator.cluster.ClusterNode;
import org.enjambre.coordinator.cluster.PeerQueries;
import org.enjambre.coordinator.cluster.RecordProcessor;
import org.enjambre.coordinator.cluster.UnitProcessor;
import org.enjambre.coordinator.errors.ConflictException;
import org.enjambre.coordinator.errors.InternalFailureException;
import org.enjambre.coordinator.errors.InvalidInputException;
import org.enjambre.coordinator.errors.NotFoundException;
import org.enjambre.coordinator.store.Store;
import org.enjambre.coordinator.workers.WorkerService;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.spec.JobSpec;
import org.enjambre.workunits.spec.JobSpecParser;
import org.enjambre.workunits.spec.SpecException;
import org.enjambre.workunits.transition.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Jobs from submission to result: accepts and validates specs, creates their units, cancels, notices
 * when a job's units are all finished, and assimilates (merges the canonical outputs into the job's
 * result, durably) — BOINC's work generator and assimilator.
 */
public final class JobService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobService.class);
    static final int CHUNK = 10_000;
    private static final int CHUNKS_IN_FLIGHT = 3;

    private final ClusterNode node;
    private final IMap<String, JobRecord> jobs;
    private final IMap<String, WorkUnit> units;
    private final Store store;
    private final AppRegistry apps;
    private final JobSpecParser parser;
    private final Clock clock;
    private final PeerQueries peers;
    private final Map<String, long[]> finishedTaskCounts = new ConcurrentHashMap<>();
    private final ExecutorService assimilator = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "enjambre-assimilator");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> assimilating = ConcurrentHashMap.newKeySet();
    /** Jobs with a completion check queued and not started yet: more DONE units of theirs need no check of their own. */
    private final Set<String> checkQueued = ConcurrentHashMap.newKeySet();

    public JobService(ClusterNode node, Store store, AppRegistry apps, Clock clock, PeerQueries peers) {
        this.node = node;
        this.jobs = node.jobs();
        this.units = node.units();
        this.store = store;
        this.apps = apps;
        this.parser = new JobSpecParser(apps);
        this.clock = clock;
        this.peers = peers;
    }

    public AppRegistry apps() {
        return apps;
    }

    /** Validates and accepts a job: durable before this returns. */
    public JobRecord submit(JsonNode body) {
        JobSpec spec;
        try {
            spec = parser.parse(body);
        } catch (SpecException e) {
            throw new InvalidInputException("INVALID_SPEC", e.getMessage(), e.field());
        }
        long now = clock.millis();
        String id = "j-" + WorkerService.randomId(10);
        JobRecord job = new JobRecord(id, spec.name(), spec.app(), JobSpecParser.toJson(spec).toString(), spec.workUnits(),
                spec.priority(), JobState.QUEUED, now, 0, 0, null, null, 1);
        store.writeNow(new Store.Batch(List.of(), List.of(), List.of(job)));
        jobs.set(id, job);
        // Chunks are pipelined: this thread builds and encodes the next while the partition threads store the
        // last ones (a few in flight, so a million-unit job does not hold them all in memory at once).
        java.util.ArrayDeque<java.util.concurrent.CompletableFuture<Void>> inFlight = new java.util.ArrayDeque<>();
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
        inFlight.forEach(java.util.concurrent.CompletableFuture::join);
        return job;
    }

    public JobRecord get(String id) {
        JobRecord j = id == null ? null : jobs.get(id);
        if (j == null) {
            throw new NotFoundException("no job '" + id + "'");
        }
        return j;
    }

    public Optional<JobRecord> find(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    /** Every job, newest first. */
    public List<JobRecord> list() {
        List<JobRecord> all = new ArrayList<>(jobs.values());
        all.sort(Comparator.comparingLong(JobRecord::submittedAt).reversed().thenComparing(JobRecord::id));
        return all;
    }

    /** Units of the job by state (index = {@link UnitState} ordinal), over all peers. */
    public long[] unitCounts(JobRecord job) {
        if (job.state().terminal()) {
            long[] c = new long[UnitState.values().length];
            if (job.state() == JobState.COMPLETED) {
                c[UnitState.DONE.ordinal()] = job.workUnits();
            } else {
                Map<Integer, WorkUnit> stored = store.units(job.id());
                for (int i = 0; i < job.workUnits(); i++) {
                    WorkUnit u = stored.get(i);
                    c[(u == null || !u.terminal() ? UnitState.FAILED : u.state()).ordinal()]++;
                }
            }
            return c;
        }
        return peers.sum("counts", job.id(), UnitState.values().length);
    }

    /** Task counters of the job ({@link JobCounters} indexes): over all peers while it runs, from storage after. */
    public long[] taskCounts(JobRecord job) {
        if (!job.state().terminal()) {
            return peers.sum("tasks", job.id(), JobCounters.SIZE);
        }
        return finishedTaskCounts.computeIfAbsent(job.id(), id -> {
            long[] c = new long[JobCounters.SIZE];
            for (WorkUnit u : store.units(id).values()) {
                JobCounters.add(c, JobCounters.of(u));
            }
            return c;
        }).clone();
    }

    /** A page of the job's units, live while it runs, from storage once it finished. */
    public List<WorkUnit> units(JobRecord job, int from, int limit) {
        int to = Math.min(job.workUnits(), from + limit);
        List<WorkUnit> out = new ArrayList<>();
        if (from >= to) {
            return out;
        }
        JobSpecs.Parsed spec = JobSpecs.of(job);
        Map<Integer, WorkUnit> stored = job.state().terminal() ? store.units(job.id()) : Map.of();
        Set<String> keys = new HashSet<>();
        for (int i = from; i < to; i++) {
            keys.add(WorkUnit.id(job.id(), i));
        }
        Map<String, WorkUnit> live = job.state().terminal() ? Map.of() : units.getAll(keys);
        for (int i = from; i < to; i++) {
            WorkUnit u = job.state().terminal() ? stored.get(i) : live.get(WorkUnit.id(job.id(), i));
            if (u == null) {
                u = WorkUnit.create(job.id(), i, spec.redundancy());
            }
            if (job.state().terminal() && !u.terminal()) {
                u = UnitProcessor.cancelled(u, job.state() == JobState.CANCELLED ? "job cancelled" : "job failed", job.finishedAt());
            }
            out.add(u);
        }
        return out;
    }

    /** Cancels a job that is not finished; a finished job is returned as it is. */
    public JobRecord cancel(String id) {
        JobRecord job = get(id);
        if (job.state().terminal()) {
            return job;
        }
        return finish(job, JobState.CANCELLED, "cancelled by a user");
    }

    /** Marks a queued job running (its first task was issued). */
    public Optional<JobRecord> markRunning(String id) {
        long now = clock.millis();
        JobRecord j = jobs.executeOnKey(id, new RecordProcessor<JobRecord>(
                old -> old.state() == JobState.QUEUED ? old.withState(JobState.RUNNING, now, null) : old));
        return j != null && j.state() == JobState.RUNNING && j.startedAt() == now ? Optional.of(j) : Optional.empty();
    }

    /** The merged result; 409 until the job completed. */
    public MergedResult result(String id) {
        JobRecord job = get(id);
        if (job.state() != JobState.COMPLETED) {
            throw new ConflictException("NOT_COMPLETED", "job " + id + " is " + job.state()
                    + (job.failure() != null ? " (" + job.failure() + ")" : "") + "; its result exists once it is COMPLETED");
        }
        return store.result(id).orElseThrow(() -> new InternalFailureException("RESULT_MISSING", "the result of job " + id + " is missing from storage"));
    }

    /**
     * A PNG of a mandelbrot job as far as it is rendered (finished bands drawn, the rest grey); empty
     * when no unit is done yet. 404 for other apps.
     */
    public Optional<byte[]> preview(String id) {
        JobRecord job = get(id);
        App app = apps.get(job.app());
        if (!(app instanceof org.enjambre.workunits.apps.MandelbrotApp mandelbrot)) {
            throw new NotFoundException("job " + id + " is not a mandelbrot job; only those have a preview");
        }
        if (job.state() == JobState.COMPLETED) {
            return store.result(id).map(MergedResult::body);
        }
        Map<Integer, byte[]> bands = new HashMap<>();
        for (int from = 0; from < job.workUnits(); from += 1000) {
            for (WorkUnit u : units(job, from, 1000)) {
                u.canonicalOutput().ifPresent(o -> bands.put(u.index(), o));
            }
        }
        if (bands.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(mandelbrot.preview(JobSpecs.of(job).input(), job.workUnits(), bands::get));
        } catch (Exception e) {
            throw new InternalFailureException("PREVIEW_FAILED", "rendering the preview failed: " + e.getMessage());
        }
    }

    /** Called on the peer owning a unit when it became DONE or FAILED. */
    public void unitFinished(WorkUnit unit) {
        boolean done = unit.state() == UnitState.DONE;
        if (done && !checkQueued.add(unit.jobId())) {
            return; // the queued check has not started: it will count this unit too
        }
        assimilator.execute(() -> {
            if (done) {
                checkQueued.remove(unit.jobId());
            }
            try {
                check(unit);
            } catch (RuntimeException e) {
                LOG.warn("checking job {} after unit {} finished failed", unit.jobId(), unit.index(), e);
            }
        });
    }

    /** Looks at every running job once (after a restart, in case a notice was lost). */
    public void checkAll() {
        for (JobRecord j : jobs.values()) {
            if (!j.state().terminal()) {
                assimilator.execute(() -> {
                    try {
                        maybeComplete(j.id());
                    } catch (RuntimeException e) {
                        LOG.warn("checking job {} failed", j.id(), e);
                    }
                });
            }
        }
    }

    private void check(WorkUnit unit) {
        JobRecord job = jobs.get(unit.jobId());
        if (job == null || job.state().terminal()) {
            return;
        }
        if (unit.state() == UnitState.FAILED) {
            finish(job, JobState.FAILED, "unit " + unit.index() + " failed: " + unit.failure());
            return;
        }
        maybeComplete(job.id());
    }

    private void maybeComplete(String jobId) {
        JobRecord job = jobs.get(jobId);
        if (job == null || job.state().terminal()) {
            return;
        }
        long[] c = unitCounts(job);
        if (c[UnitState.FAILED.ordinal()] > 0) {
            // find the failed unit for the message
            for (WorkUnit u : units(job, 0, job.workUnits())) {
                if (u.state() == UnitState.FAILED) {
                    finish(job, JobState.FAILED, "unit " + u.index() + " failed: " + u.failure());
                    return;
                }
            }
        }
        if (c[UnitState.DONE.ordinal()] >= job.workUnits() && assimilating.add(jobId)) {
            try {
                assimilate(job);
            } finally {
                assimilating.remove(jobId);
            }
        }
    }

    private void assimilate(JobRecord job) {
        App app = apps.get(job.app());
        JobSpecs.Parsed spec = JobSpecs.of(job);
        Merger merger = app.merger(spec.input(), job.workUnits());
        try {
            for (int from = 0; from < job.workUnits(); from += 1000) {
                List<WorkUnit> page = units(job, from, 1000);
                for (WorkUnit u : page) {
                    if (u.state() != UnitState.DONE || u.canonicalOutput().isEmpty()) {
                        return; // not all done yet (a count ran ahead of the map)
                    }
                    merger.accept(u.index(), u.canonicalOutput().get());
                }
                // A report applied in the cluster whose peer died before its store write left an older
                // version on disk; views of a finished job read the store, so write the final states of the
                // units stored at an older version (nearly always none: reading the versions is far cheaper
                // than rewriting every row). If that fails, the 5-second sweep retries.
                try {
                    Map<Integer, Long> stored = page.isEmpty() ? Map.of()
                            : store.unitVersions(job.id(), from, from + page.size());
                    List<WorkUnit> behind = new ArrayList<>();
                    for (WorkUnit u : page) {
                        Long v = stored.get(u.index());
                        if (v == null || v < u.version()) {
                            behind.add(u);
                        }
                    }
                    store.writeNow(Store.Batch.units(behind));
                } catch (RuntimeException e) {
                    LOG.warn("storing the final units of job {} failed; will retry: {}", job.id(), e.getMessage());
                    return;
                }
            }
            MergedResult result = merger.finish();
            store.putResult(job.id(), result);
            long now = clock.millis();
            String contentType = result.contentType();
            JobRecord done = jobs.executeOnKey(job.id(), new RecordProcessor<JobRecord>(
                    old -> old.state().terminal() ? old : old.completed(contentType, now)));
            if (done != null && done.state() == JobState.COMPLETED) {
                store.writeNow(new Store.Batch(List.of(), List.of(), List.of(done)));
                evict(job);
                LOG.info("job {} completed: {} units", job.id(), job.workUnits());
            }
        } catch (Exception e) {
            LOG.warn("merging job {} failed", job.id(), e);
            finish(job, JobState.FAILED, "merging the results failed: " + e.getMessage());
        }
    }

    private JobRecord finish(JobRecord job, JobState state, String why) {
        long now = clock.millis();
        JobRecord after = jobs.executeOnKey(job.id(), new RecordProcessor<JobRecord>(
                old -> old.state().terminal() ? old : old.withState(state, now, why)));
        if (after == null) {
            throw new NotFoundException("no job '" + job.id() + "'");
        }
        store.writeNow(new Store.Batch(List.of(), List.of(), List.of(after)));
        if (after.state() == state) {
            Set<String> keys = keys(job);
            units.executeOnKeys(keys, new UnitProcessor(job.app(), new Event.Cancel(why, now)));
            evict(job);
        }
        return after;
    }

    private static Set<String> keys(JobRecord job) {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < job.workUnits(); i++) {
            keys.add(WorkUnit.id(job.id(), i));
        }
        return keys;
    }

    /** Drops a finished job's units from memory; they are on disk (or fresh, hence derivable). */
    private void evict(JobRecord job) {
        for (int i = 0; i < job.workUnits(); i++) {
            units.deleteAsync(WorkUnit.id(job.id(), i));
        }
    }

    @Override
    public void close() {
        assimilator.shutdownNow();
    }
}
