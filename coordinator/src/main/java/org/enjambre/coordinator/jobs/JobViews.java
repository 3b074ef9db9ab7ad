package org.enjambre.coordinator.jobs;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.cluster.PeerQuestion;
import org.enjambre.coordinator.cluster.PeerTransport;
import org.enjambre.coordinator.cluster.UnitTable;
import org.enjambre.coordinator.cluster.UnitProcessor;
import org.enjambre.coordinator.errors.ConflictException;
import org.enjambre.coordinator.errors.InternalFailureException;
import org.enjambre.coordinator.errors.NotFoundException;
import org.enjambre.coordinator.store.Store;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.apps.MandelbrotApp;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.WorkUnit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What users see of jobs: records, unit and task counters, unit pages, results and previews. Live
 * jobs are read from the cluster (counters summed over the peers); finished ones from the store.
 *
 * <p>Counters of a finished job never change, so they are computed from its stored units once and
 * cached ({@link #finalCounts}): a {@code GET /api/v1/jobs} does not decode every stored unit of every
 * failed or cancelled job again.
 */
public final class JobViews {
    /** Units and task counters of a finished job, as computed once from the store. */
    private record Final(long[] units, long[] tasks) {
    }

    private final JobTable jobs;
    private final UnitTable units;
    private final Store store;
    private final AppRegistry apps;
    private final PeerTransport peers;
    private final Map<String, Final> finalCounts = new ConcurrentHashMap<>();
    private final RecentResults recentResults = new RecentResults();

    /** Ports: production passes the cluster maps and {@code PeerQueries}; the whole-swarm simulation in-memory ones. */
    public JobViews(JobTable jobs, UnitTable units, Store store, AppRegistry apps, PeerTransport peers) {
        this.jobs = jobs;
        this.units = units;
        this.store = store;
        this.apps = apps;
        this.peers = peers;
    }

    /** The job; 404 when there is none. */
    public JobRecord get(String id) {
        JobRecord j = id == null ? null : jobs.find(id).orElse(null);
        if (j == null) {
            throw new NotFoundException("no job '" + id + "'");
        }
        return j;
    }

    public Optional<JobRecord> find(String id) {
        return jobs.find(id);
    }

    /** Every job, newest first. */
    public List<JobRecord> list() {
        List<JobRecord> all = new ArrayList<>(jobs.all());
        all.sort(Comparator.comparingLong(JobRecord::submittedAt).reversed().thenComparing(JobRecord::id));
        return all;
    }

    /** Units of the job by state (index = {@link UnitState} ordinal) and the {@link UnitCounts} slots, over all peers. */
    public long[] unitCounts(JobRecord job) {
        if (!job.state().terminal()) {
            return peers.sum(new PeerQuestion.CountUnits(job.id()), UnitCounts.SIZE);
        }
        if (job.state() == JobState.COMPLETED) {
            long[] c = new long[UnitCounts.SIZE];
            c[UnitState.DONE.ordinal()] = job.workUnits();
            return c;
        }
        return finalCounts(job).units().clone();
    }

    /** Task counters of the job ({@link JobCounters} indexes): over all peers while it runs, from storage after. */
    public long[] taskCounts(JobRecord job) {
        if (!job.state().terminal()) {
            return peers.sum(new PeerQuestion.CountTasks(job.id()), JobCounters.SIZE);
        }
        return finalCounts(job).tasks().clone();
    }

    /**
     * Counts for a list of jobs from one {@link PeerQuestion.CountJobs} to every peer (O(peers), not two questions
     * per running job); finished jobs are counted as {@link #unitCounts} / {@link #taskCounts} do. The counts are a
     * snapshot: asking the returned view for a running job not in {@code list} gives zeros.
     */
    public CountsOf countsOf(Collection<JobRecord> list) {
        Set<String> running = new HashSet<>();
        for (JobRecord j : list) {
            if (!j.state().terminal()) {
                running.add(j.id());
            }
        }
        Map<String, long[]> u = new HashMap<>();
        Map<String, long[]> t = new HashMap<>();
        if (!running.isEmpty()) {
            for (PeerQuestion.JobCounts answer : peers.askAll(new PeerQuestion.CountJobs(running))) {
                answer.byJob().forEach((id, c) -> {
                    add(u.computeIfAbsent(id, k -> new long[UnitCounts.SIZE]), c.units());
                    add(t.computeIfAbsent(id, k -> new long[JobCounters.SIZE]), c.tasks());
                });
            }
        }
        return new CountsOf() {
            @Override
            public long[] unitCounts(JobRecord job) {
                return job.state().terminal() ? JobViews.this.unitCounts(job)
                        : u.getOrDefault(job.id(), new long[UnitCounts.SIZE]).clone();
            }

            @Override
            public long[] taskCounts(JobRecord job) {
                return job.state().terminal() ? JobViews.this.taskCounts(job)
                        : t.getOrDefault(job.id(), new long[JobCounters.SIZE]).clone();
            }
        };
    }

    private static void add(long[] total, long[] a) {
        for (int i = 0; i < total.length && i < a.length; i++) {
            total[i] += a[i];
        }
    }

    /** Both counters of a finished job from one read of its stored units, cached (they never change). */
    private Final finalCounts(JobRecord job) {
        return finalCounts.computeIfAbsent(job.id(), id -> {
            long[] u = new long[UnitCounts.SIZE];
            long[] t = new long[JobCounters.SIZE];
            Map<Integer, WorkUnit> stored = store.units(id);
            for (int i = 0; i < job.workUnits(); i++) {
                WorkUnit unit = stored.get(i);
                u[(unit == null || !unit.terminal() ? UnitState.FAILED : unit.state()).ordinal()]++;
            }
            for (WorkUnit unit : stored.values()) {
                JobCounters.add(t, JobCounters.of(unit));
            }
            return new Final(u, t);
        });
    }

    /** A page of the job's units, live while it runs, from storage once it finished. */
    public List<WorkUnit> units(JobRecord job, int from, int limit) {
        int to = Math.min(job.workUnits(), from + limit);
        List<WorkUnit> out = new ArrayList<>();
        if (from >= to) {
            return out;
        }
        JobSpecs.Parsed spec = JobSpecs.of(job);
        boolean done = job.state().terminal();
        Map<Integer, WorkUnit> stored = done ? store.units(job.id()) : Map.of();
        Set<String> keys = new HashSet<>();
        for (int i = from; i < to; i++) {
            keys.add(WorkUnit.id(job.id(), i));
        }
        Map<String, WorkUnit> live = done ? Map.of() : units.getAll(keys);
        for (int i = from; i < to; i++) {
            WorkUnit u = done ? stored.get(i) : live.get(WorkUnit.id(job.id(), i));
            if (u == null) {
                u = WorkUnit.create(job.id(), i, spec.redundancy());
            }
            if (done && !u.terminal()) {
                u = UnitProcessor.cancelled(u, job.state() == JobState.CANCELLED ? "job cancelled" : "job failed", job.finishedAt());
            }
            out.add(u);
        }
        return out;
    }

    /**
     * The result of a job that completed on this peer lately and is small ({@link RecentResults}), or null: what the
     * result route answers on the event loop, without a store read.
     */
    public MergedResult recentResult(String id) {
        return recentResults.get(id);
    }

    /** Keeps the merged result of {@code jobId}, just completed here, for {@link #recentResult} when it is small. */
    void completed(String jobId, MergedResult result) {
        recentResults.completed(jobId, result);
    }

    /** The merged result; 409 until the job completed. */
    public MergedResult result(String id) {
        MergedResult kept = recentResults.get(id);
        if (kept != null) {
            return kept; // completed here lately: a completed job's result never changes
        }
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
        if (!(app instanceof MandelbrotApp mandelbrot)) {
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
}
