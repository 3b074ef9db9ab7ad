package org.enjambre.coordinator.jobs;

import org.enjambre.coordinator.metrics.PathTrace;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.cluster.UnitTable;
import org.enjambre.coordinator.errors.NotFoundException;
import org.enjambre.coordinator.store.Store;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.OutputFile;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.transition.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * BOINC's assimilator: notices when a job's units are all finished, merges the canonical outputs into
 * the job's result and stores it, durably, before the job is COMPLETED; fails a job when a unit failed;
 * and finishes (fails or cancels) jobs, dropping their units from memory.
 *
 * <p>Checks run on one thread, so one job is never merged twice at once; a unit finishing while a
 * check of its job is queued needs no check of its own.
 *
 * <p>Built from ports ({@link JobTable}, {@link UnitTable}, {@link Store}, {@link JobViews} over a
 * {@code PeerTransport}, and the executor its checks run on), so the whole-swarm simulation runs this class
 * over in-memory ones, with its checks as simulated events.
 */
public final class Assimilator {
    private static final Logger LOG = LoggerFactory.getLogger(Assimilator.class);
    /** Units read and merged at a time. */
    private static final int PAGE = 1000;
    /** A page of at most this many units is written with the result whole, without reading which of them the store lacks. */
    private static final int REWRITTEN_PAGE = 16;

    private final JobTable jobs;
    private final UnitTable units;
    private final Store store;
    private final AppRegistry apps;
    private final JobViews views;
    private final Clock clock;
    /** Runs the checks one at a time (production: one thread, which {@link JobService} owns). */
    private final Executor thread;
    private final Set<String> assimilating = ConcurrentHashMap.newKeySet();
    /** Jobs with a completion check queued and not started yet: more DONE units of theirs need no check of their own. */
    private final Set<String> checkQueued = ConcurrentHashMap.newKeySet();
    /**
     * Jobs this peer made final in the cluster whose final record the store refused (a lost connection): nothing
     * else would write them, as the sweep only looks at running jobs, so it writes these again and drops their units.
     */
    private final Set<String> unsettled = ConcurrentHashMap.newKeySet();
    /** Reads outputs kept as files for merges that need their bytes; set at wiring ({@link #readOutputsWith}). */
    private volatile OutputReader outputs = ref -> {
        throw new java.io.IOException("this peer cannot read output file " + ref.id());
    };

    /** Reads a unit's output kept as a file, for a merge that needs its bytes (bounded: it sits in memory). */
    public interface OutputReader {
        byte[] read(OutputFile ref) throws java.io.IOException;
    }

    /** Where merges that read outputs get the bytes of outputs kept as files (README, "Outputs as files"). */
    public void readOutputsWith(OutputReader reader) {
        this.outputs = reader;
    }

    /** Runs a task on the checks' executor after a delay (production: the same single thread, scheduled). */
    @FunctionalInterface
    public interface Later {
        void after(long millis, Runnable task);
    }

    /**
     * When each job with a check prompted by its units was last checked: a job leaves when it ends here (its units
     * evicted), or, ended on another peer, at the next 5-second {@link #checkAll}.
     */
    private final Map<String, Long> lastChecked = new ConcurrentHashMap<>();
    private final Later later;

    /**
     * {@code checks} MUST run its tasks one at a time, never two at once (in any order: each check reads the job afresh);
     * {@code later} runs a task there after a delay.
     */
    public Assimilator(JobTable jobs, UnitTable units, Store store, AppRegistry apps, JobViews views, Clock clock,
                       Executor checks, Later later) {
        this.later = later;
        this.jobs = jobs;
        this.units = units;
        this.store = store;
        this.apps = apps;
        this.views = views;
        this.clock = clock;
        this.thread = checks;
    }

    /**
     * Called on the peer owning a unit when it became DONE or FAILED. A DONE unit's check waits until
     * {@link #CHECK_GAP_MILLIS} after the job's previous check, so that a large job finishing thousands of units a
     * second is checked (a read of its record and a count of its units) at most a hundred times a second, not once per
     * handful of units; a job's first check, and so a one-unit job's, runs at once. A FAILED unit is checked at once.
     */
    public void unitFinished(WorkUnit unit) {
        PathTrace.mark("assimilator: unit finished");
        boolean done = unit.state() == UnitState.DONE;
        String jobId = unit.jobId();
        if (done && !checkQueued.add(jobId)) {
            return; // the queued check has not started: it will count this unit too
        }
        Runnable check = () -> {
            if (done) {
                checkQueued.remove(jobId);
                lastChecked.put(jobId, clock.millis());
            }
            try {
                check(unit);
            } catch (RuntimeException e) {
                LOG.warn("checking job {} after unit {} finished failed", jobId, unit.index(), e);
            }
        };
        Long last = done ? lastChecked.get(jobId) : null;
        long wait = last == null ? 0 : last + CHECK_GAP_MILLIS - clock.millis();
        if (wait <= 0) {
            thread.execute(check);
        } else {
            later.after(wait, check);
        }
    }

    /** The least time between two checks of a job prompted by its units finishing. */
    static final long CHECK_GAP_MILLIS = 10;

    /**
     * Looks at every running job once (after a restart, in case a notice was lost), and writes again the final
     * record of every job whose write failed ({@link #unsettled}).
     */
    public void checkAll() {
        long now = clock.millis();
        lastChecked.values().removeIf(at -> now - at > 1_000); // past the gap: jobs that ended elsewhere or went quiet
        for (JobRecord j : jobs.all()) {
            if (!j.state().terminal()) {
                thread.execute(() -> {
                    try {
                        maybeComplete(j.id());
                    } catch (RuntimeException e) {
                        LOG.warn("checking job {} failed", j.id(), e);
                    }
                });
            } else if (unsettled.contains(j.id())) {
                thread.execute(() -> {
                    try {
                        settle(j.id());
                    } catch (RuntimeException e) {
                        LOG.warn("writing the final record of job {} failed again; will retry: {}", j.id(), e.getMessage());
                    }
                });
            }
        }
    }

    /** Writes the final record of a job this peer made final, remembering it for the sweep when the store refuses. */
    private void writeFinal(JobRecord after) {
        try {
            store.writeNow(new Store.Batch(List.of(), List.of(), List.of(after)));
        } catch (RuntimeException e) {
            unsettled.add(after.id());
            throw e;
        }
    }

    /**
     * Writes the COMPLETED record of a job this peer completed behind (see {@link #assimilate}): deferred, it rides
     * with a later group (the store retries a deferred write that failed) instead of costing a commit of its own right
     * after the result's, in the way of the next jobs (PathTrace, twelfth session). A store that refuses it now leaves
     * the job {@link #unsettled}, for the sweep to write again.
     */
    private void writeBehind(JobRecord done) {
        try {
            store.writeLater(Store.Batch.jobs(List.of(done)));
        } catch (RuntimeException e) {
            unsettled.add(done.id());
            LOG.warn("writing the COMPLETED record of job {} failed; will retry: {}", done.id(), e.getMessage());
        }
    }

    /** The sweep's next try for an {@link #unsettled} job: its record as the cluster has it, durably, then its units dropped. */
    private void settle(String jobId) {
        JobRecord job = jobs.find(jobId).orElse(null);
        if (job != null) {
            store.writeNow(new Store.Batch(List.of(), List.of(), List.of(job)));
            dropUnits(job);
        }
        unsettled.remove(jobId);
    }

    private void check(WorkUnit unit) {
        PathTrace.mark("assimilator: check");
        JobRecord job = jobs.find(unit.jobId()).orElse(null);
        if (job == null || job.state().terminal()) {
            return;
        }
        if (unit.state() == UnitState.FAILED) {
            finish(job, JobState.FAILED, "unit " + unit.index() + " failed: " + unit.failure());
            return;
        }
        complete(job); // the record just read: one read of the job per check, not two (a partition round trip each)
    }

    private void maybeComplete(String jobId) {
        JobRecord job = jobs.find(jobId).orElse(null);
        if (job != null && !job.state().terminal()) {
            complete(job);
        }
    }

    /** Fails the running {@code job} if a unit of it failed, or merges and completes it if every unit is DONE. */
    private void complete(JobRecord job) {
        String jobId = job.id();
        long[] c = views.unitCounts(job);
        if (c[UnitState.FAILED.ordinal()] > 0) {
            // find the failed unit for the message
            for (WorkUnit u : views.units(job, 0, job.workUnits())) {
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

    /**
     * Merges a job whose units are all DONE and completes it. What is waited for, in order: the job's final units that
     * the store lacks and its merged result, in one durable write; then the job is COMPLETED in the cluster (users see
     * it, and read the result from the store). Its COMPLETED record is written behind, not waited for: if a crash loses
     * it, the job is RUNNING again after the restart with every unit DONE on disk, and this merges it again (at start,
     * {@link #checkAll}, and as its units load) into the same result. The record never reaches the disk before the result.
     */
    private void assimilate(JobRecord job) {
        App app = apps.get(job.app());
        JobSpecs.Parsed spec = JobSpecs.of(job);
        Merger merger = app.merger(spec.input(), job.workUnits());
        // A concatenating merge keeps output files as parts the result route streams: no whole-result buffer for them.
        ResultParts.Builder parts = merger.concatenates() ? new ResultParts.Builder() : null;
        MergedResult result;
        List<WorkUnit> behind = List.of(); // of the page read last: written with the result
        try {
            for (int from = 0; from < job.workUnits(); from += PAGE) {
                if (!behind.isEmpty() && !stored(job, Store.Batch.units(behind))) {
                    return;
                }
                List<WorkUnit> page = views.units(job, from, PAGE);
                for (WorkUnit u : page) {
                    if (u.state() != UnitState.DONE || u.canonicalOutput().isEmpty()) {
                        return; // not all done yet (a count ran ahead of the map)
                    }
                    byte[] out = u.canonicalOutput().get();
                    if (parts != null) {
                        parts.add(out);
                    } else {
                        merger.accept(u.index(), OutputFile.is(out) && merger.readsOutputs() ? outputs.read(OutputFile.decode(out)) : out);
                    }
                }
                behind = unitsBehind(job, from, page);
                if (behind == null) {
                    return;
                }
            }
            result = merger.finish(); // for a concatenating merge, nothing accepted: its content type
            if (parts != null) {
                result = new MergedResult(result.contentType(), parts.body());
            }
        } catch (Exception e) {
            LOG.warn("merging job {} failed", job.id(), e);
            finish(job, JobState.FAILED, "merging the results failed: " + e.getMessage());
            return;
        }
        PathTrace.mark("assimilator: merged");
        if (!stored(job, Store.Batch.units(behind).with(new Store.Result(job.id(), result)))) {
            return;
        }
        PathTrace.mark("assimilator: result journaled");
        long now = clock.millis();
        String contentType = result.contentType();
        JobRecord done = jobs.update(job.id(), old -> old.state().terminal() ? old : old.completed(contentType, now));
        PathTrace.mark("assimilator: COMPLETED in the map");
        if (done != null && done.state() == JobState.COMPLETED) {
            views.completed(job.id(), result);
            writeBehind(done);
            evict(job);
            LOG.info("job {} completed: {} units", job.id(), job.workUnits());
        }
    }

    /**
     * The final units of {@code page} (starting at unit {@code from}) that the store holds at an older version: a report
     * applied in the cluster whose peer died before its store write, or, far more often, a report whose write is still
     * under way. Views of a finished job read the store, so these are written before the job completes. Nearly always
     * few: reading the versions is far cheaper than rewriting every row, but for a page of a few units. Null when the
     * store could not be read (the 5-second sweep retries).
     */
    private List<WorkUnit> unitsBehind(JobRecord job, int from, List<WorkUnit> page) {
        if (page.size() <= REWRITTEN_PAGE) {
            return page; // a few units: written again, cheaper than a query (and usually behind: their report's write is under way)
        }
        try {
            Map<Integer, Long> stored = page.isEmpty() ? Map.of() : store.unitVersions(job.id(), from, from + page.size());
            List<WorkUnit> behind = new ArrayList<>();
            for (WorkUnit u : page) {
                Long v = stored.get(u.index());
                if (v == null || v < u.version()) {
                    behind.add(u);
                }
            }
            return behind;
        } catch (RuntimeException e) {
            LOG.warn("reading the stored units of job {} failed; will retry: {}", job.id(), e.getMessage());
            return null;
        }
    }

    /** Writes {@code batch} durably; false when the store refused it (the 5-second sweep merges the job again). */
    private boolean stored(JobRecord job, Store.Batch batch) {
        try {
            store.writeNow(batch);
            return true;
        } catch (RuntimeException e) {
            LOG.warn("storing the final units or the result of job {} failed; will retry: {}", job.id(), e.getMessage());
            return false;
        }
    }

    /** Moves a job that is not finished to {@code state} (FAILED or CANCELLED) for {@code why}, durably; returns it after. */
    public JobRecord finish(JobRecord job, JobState state, String why) {
        long now = clock.millis();
        JobRecord after = jobs.update(job.id(), old -> old.state().terminal() ? old : old.withState(state, now, why));
        if (after == null) {
            throw new NotFoundException("no job '" + job.id() + "'");
        }
        if (after.state() != state) { // it was final already: nothing more to do here
            store.writeNow(new Store.Batch(List.of(), List.of(), List.of(after)));
            return after;
        }
        writeFinal(after);
        dropUnits(after);
        return after;
    }

    /** Cancels what is left of a job that failed or was cancelled (with its reason, at its end), and evicts its units. */
    private void dropUnits(JobRecord job) {
        if (job.state() == JobState.COMPLETED) {
            evict(job);
            return;
        }
        lastChecked.remove(job.id());
        Event cancel = new Event.Cancel(job.failure(), job.finishedAt());
        forEachChunk(job, keys -> {
            units.applyAll(keys, job.app(), cancel); // waited for: cancelled before evicted
            units.evict(keys);
        });
    }

    /** Drops a finished job's units from memory; they are on disk (or fresh, hence derivable). */
    private void evict(JobRecord job) {
        lastChecked.remove(job.id());
        forEachChunk(job, units::evict);
    }

    /** The job's unit keys, a chunk at a time. */
    private static void forEachChunk(JobRecord job, java.util.function.Consumer<Set<String>> chunk) {
        for (int from = 0; from < job.workUnits(); from += WorkGenerator.CHUNK) {
            Set<String> keys = new HashSet<>();
            for (int i = from; i < Math.min(job.workUnits(), from + WorkGenerator.CHUNK); i++) {
                keys.add(WorkUnit.id(job.id(), i));
            }
            chunk.accept(keys);
        }
    }
}
