package org.enjambre.coordinator.jobs;

import org.enjambre.coordinator.model.JobRecord;
import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.cluster.ClusterNode;
import org.enjambre.coordinator.cluster.HazelcastUnitTable;
import org.enjambre.coordinator.cluster.PeerQueries;
import org.enjambre.coordinator.cluster.RecordProcessor;
import org.enjambre.coordinator.store.Store;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.WorkUnit;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Jobs from submission to result, as the rest of the coordinator sees them: one entry point over the
 * {@link WorkGenerator} (submission, unit creation), the {@link Assimilator} (completion, merge, stored
 * result, cancel and failure) and the {@link JobViews} (records, counters, unit pages, results).
 */
public final class JobService implements AutoCloseable, CountsOf {
    private final ClusterNode node;
    private final AppRegistry apps;
    private final Clock clock;
    private final JobViews views;
    private final Assimilator assimilator;
    /** The scheduler's reads of job records ({@link #findRecent}). */
    private final RecentJobs recent;
    private final WorkGenerator generator;
    /** The assimilator's checks, one at a time. */
    private final java.util.concurrent.ScheduledExecutorService assimilatorThread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "enjambre-assimilator");
        t.setDaemon(true);
        return t;
    });

    public JobService(ClusterNode node, Store store, AppRegistry apps, Clock clock, PeerQueries peers) {
        this.node = node;
        this.apps = apps;
        this.clock = clock;
        JobTable jobTable = JobTable.of(node.jobs());
        this.recent = RecentJobs.of(node.jobs(), clock);
        HazelcastUnitTable units = node.unitTable();
        this.views = new JobViews(jobTable, units, store, apps, peers);
        this.assimilator = new Assimilator(jobTable, units, store, apps, views, clock, assimilatorThread,
                (millis, task) -> assimilatorThread.schedule(task, millis, java.util.concurrent.TimeUnit.MILLISECONDS));
        HeapCapacity capacity = new HeapCapacity(HeapCapacity::jvmFreeHeap,
                () -> node.hazelcast().getCluster().getMembers().size(),
                () -> node.hazelcast().getConfig().getMapConfig(ClusterNode.UNITS).getBackupCount());
        this.generator = new WorkGenerator(node.jobs(), store, apps, capacity, clock);
    }

    public AppRegistry apps() {
        return apps;
    }

    /** Called with each job accepted on this peer, before its submitter is answered. */
    public void onAccepted(java.util.function.Consumer<JobRecord> hook) {
        generator.onAccepted(hook);
    }

    /** Validates and accepts a job: durable before this returns. */
    public JobRecord submit(JsonNode body) {
        return generator.submit(body);
    }

    public JobRecord get(String id) {
        return views.get(id);
    }

    public Optional<JobRecord> find(String id) {
        return views.find(id);
    }

    /**
     * The job's record for the scheduler's hot path: from this peer's memory, at most one entry event (or one second)
     * behind the cluster ({@link RecentJobs}); views and results use {@link #find}.
     */
    public Optional<JobRecord> findRecent(String id) {
        return recent.find(id);
    }

    /** Every job, newest first. */
    public List<JobRecord> list() {
        return views.list();
    }

    /** Counts of many jobs from one question to each peer ({@link JobViews#countsOf}). */
    public CountsOf countsOf(java.util.Collection<JobRecord> list) {
        return views.countsOf(list);
    }

    /** Units of the job by state (index = {@link org.enjambre.workunits.model.UnitState} ordinal), over all peers. */
    @Override
    public long[] unitCounts(JobRecord job) {
        return views.unitCounts(job);
    }

    /** Task counters of the job ({@link JobCounters} indexes). */
    @Override
    public long[] taskCounts(JobRecord job) {
        return views.taskCounts(job);
    }

    /** A page of the job's units, live while it runs, from storage once it finished. */
    public List<WorkUnit> units(JobRecord job, int from, int limit) {
        return views.units(job, from, limit);
    }

    /** Cancels a job that is not finished; a finished job is returned as it is. */
    public JobRecord cancel(String id) {
        JobRecord job = views.get(id);
        if (job.state().terminal()) {
            return job;
        }
        return assimilator.finish(job, JobState.CANCELLED, "cancelled by a user");
    }

    /** Marks a queued job running (its first task was issued). */
    public Optional<JobRecord> markRunning(String id) {
        long now = clock.millis();
        JobRecord j = node.jobs().executeOnKey(id, new RecordProcessor<JobRecord>(
                old -> old.state() == JobState.QUEUED ? old.withState(JobState.RUNNING, now, null) : old));
        if (j != null) {
            recent.seen(j);
        }
        return j != null && j.state() == JobState.RUNNING && j.startedAt() == now ? Optional.of(j) : Optional.empty();
    }

    /** Where merges that read outputs get the bytes of outputs kept as files. */
    public void readOutputsWith(Assimilator.OutputReader reader) {
        assimilator.readOutputsWith(reader);
    }

    /** The merged result; 409 until the job completed. */
    public MergedResult result(String id) {
        return views.result(id);
    }

    /** The result of a small job completed on this peer lately, or null ({@link JobViews#recentResult}). */
    public MergedResult recentResult(String id) {
        return views.recentResult(id);
    }

    /** A PNG of a mandelbrot job as far as it is rendered; empty when no unit is done yet. 404 for other apps. */
    public Optional<byte[]> preview(String id) {
        return views.preview(id);
    }

    /** Called on the peer owning a unit when it became DONE or FAILED. */
    public void unitFinished(WorkUnit unit) {
        assimilator.unitFinished(unit);
    }

    /** Looks at every running job once (after a restart, in case a notice was lost). */
    public void checkAll() {
        assimilator.checkAll();
    }

    @Override
    public void close() {
        assimilatorThread.shutdownNow();
    }
}
