package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.cluster.MemUnitTable;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.metrics.Metrics;
import org.enjambre.coordinator.sched.mem.MemDurable;
import org.enjambre.coordinator.sched.mem.MemJobs;
import org.enjambre.coordinator.sched.mem.MemWorkers;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.spec.Redundancy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * One coordinator peer's scheduling daemons over in-memory tables, with a manual clock and a seeded random
 * source: what the component tests (and the whole-swarm simulation) drive. Owns every unit.
 */
final class InMemoryPeer {
    final ManualClock clock = new ManualClock(1_000_000);
    final MemUnitTable units = new MemUnitTable();
    /** The index's ready signals (a job id each), in order. */
    final List<String> readySignals = new java.util.concurrent.CopyOnWriteArrayList<>();
    final LocalIndex index = new LocalIndex(readySignals::add, unit -> { });
    final MemJobs jobs = new MemJobs(AppRegistry.builtIns(), clock);
    final MemWorkers workers = new MemWorkers(clock);
    final MemDurable store = new MemDurable();
    final Metrics metrics = new Metrics();
    /** Tells this peer sent: "credible workerId". */
    final List<String> told = new ArrayList<>();
    /** What another peer offers for stealing. */
    final List<String> elsewhere = new ArrayList<>();
    /** Keys another peer owns: in the table, not in this peer's index. */
    final Set<String> notOwned = new java.util.HashSet<>();
    Checks checks = Checks.NONE;
    private Scheduler scheduler;

    /** Changes the index has not been shown yet while {@link #lagging} (the cluster's listener runs a moment later). */
    private final java.util.ArrayDeque<Runnable> lag = new java.util.ArrayDeque<>();
    private boolean lagging;

    InMemoryPeer() {
        units.listen(key -> !notOwned.contains(key), (key, before, after) -> {
            if (lagging) {
                lag.add(() -> index.change(key, before, after));
            } else {
                index.change(key, before, after);
            }
        });
    }

    /** From now on the index learns of unit changes only through {@link #catchUp}, as a peer's does a moment later. */
    void lagIndex() {
        lagging = true;
    }

    /** Shows the index the {@code n} oldest changes it has not seen yet. */
    void catchUp(int n) {
        for (int i = 0; i < n && !lag.isEmpty(); i++) {
            lag.poll().run();
        }
    }

    Scheduler scheduler() {
        return scheduler(Scheduler.DEFAULT_PLACEMENT_WAIT_MILLIS);
    }

    /** The daemons, built on first use with {@code placementWaitMillis} (later calls return the same ones). */
    Scheduler scheduler(long placementWaitMillis) {
        if (scheduler == null) {
            Peers peers = new Peers() {
                @Override
                public List<String> readyElsewhere(WorkerRef worker, Set<String> apps, int n) {
                    return elsewhere.subList(0, Math.min(n, elsewhere.size()));
                }

                @Override
                public void credibilityRaised(String workerId, double credibility) {
                    told.add("credible " + workerId);
                }

                @Override
                public int releaseEverywhere(String workerId, Set<String> keep, String reason) {
                    told.add("release " + workerId);
                    return scheduler.releaser().release(workerId, keep, reason);
                }
            };
            scheduler = new Scheduler(new Scheduler.Ports(units, index, jobs, workers, store, checks, peers, metrics, clock,
                    new SplittableRandom(42)), new Scheduler.Placement(true, false), org.enjambre.workunits.trust.TrustRules.PRODUCTION,
                    placementWaitMillis);
        }
        return scheduler;
    }

    /** A queued noop job of {@code n} units with the given redundancy JSON, its units in the table. */
    JobRecord job(int n, int priority, String redundancy, long deadlineSeconds) {
        String id = "j-" + UUID.randomUUID();
        String spec = "{\"input\":\"x\",\"workUnits\":" + n + ",\"deadlineSeconds\":" + deadlineSeconds
                + ",\"redundancy\":" + redundancy + "}";
        JobRecord job = new JobRecord(id, "test", "noop", spec, n, priority, JobState.QUEUED, clock.millis(), 0, 0, null,
                null, 0);
        jobs.put(job);
        Redundancy r = org.enjambre.coordinator.jobs.JobSpecs.of(job).redundancy();
        for (int i = 0; i < n; i++) {
            units.put(WorkUnit.create(id, i, r));
        }
        return job;
    }

    /**
     * A queued noop job of {@code n} units left implicit, as the cluster does: no entry in the table, the units this
     * peer owns indexed as fresh ({@link LocalIndex#freshJob}).
     */
    JobRecord implicitJob(int n, String redundancy) {
        String id = "j-" + UUID.randomUUID();
        String spec = "{\"input\":\"x\",\"workUnits\":" + n + ",\"deadlineSeconds\":60,\"redundancy\":" + redundancy + "}";
        JobRecord job = new JobRecord(id, "test", "noop", spec, n, 0, JobState.QUEUED, clock.millis(), 0, 0, null, null, 0);
        jobs.put(job);
        index.freshJob(new LocalIndex.Job(id, n, org.enjambre.coordinator.jobs.JobSpecs.of(job).redundancy()),
                key -> !notOwned.contains(key));
        return job;
    }

    /** Quorum {@code q} of {@code q} replicas, at most 6 results. */
    static String quorum(int q) {
        return "{\"replicas\":" + q + ",\"quorum\":" + q + ",\"maxErrors\":3,\"maxResults\":6}";
    }

    /** A registered worker for every app. */
    WorkerRecord worker(String id) {
        return worker(id, "acct-" + id);
    }

    /** A registered worker for every app, of volunteer account {@code account}. */
    WorkerRecord worker(String id, String account) {
        return worker(id, account, List.of("noop", "primes"));
    }

    /** A registered worker for {@code apps}, of volunteer account {@code account}. */
    WorkerRecord worker(String id, String account, List<String> apps) {
        WorkerRecord w = new WorkerRecord(id, "hash", id, "test", 1, 1024, apps, account, null,
                clock.millis(), clock.millis(), 0, 0, 0, 0, 0, 0, false, 0, 0, 1);
        workers.put(w);
        return w;
    }

    /** The worker's record as it is now. */
    WorkerRecord now(WorkerRecord w) {
        return workers.get(w.id());
    }

    WorkUnit unit(JobRecord job, int index) {
        return units.get(WorkUnit.id(job.id(), index));
    }

    /** Reports the noop answer (its input) for each task. */
    Scheduler.ReportOutcome answer(WorkerRecord w, List<Scheduler.Assignment> tasks) {
        List<Scheduler.Report> r = new ArrayList<>();
        for (Scheduler.Assignment a : tasks) {
            r.add(new Scheduler.Report(a.id(), a.input(), null));
        }
        return scheduler().report(now(w), r);
    }

    /**
     * A one-unit job, quorum 2 of 2 with spot-checks, whose replica of {@code a} succeeded and whose replica of
     * {@code b} erred, through {@code s}: {@code a}'s lone result waits for another replica that neither may take.
     */
    JobRecord loneQuorumResult(Scheduler s, WorkerRecord a, WorkerRecord b) {
        JobRecord job = job(1, 0, "{\"replicas\":2,\"quorum\":2,\"maxErrors\":3,\"maxResults\":6,\"spotCheckRate\":0.1}", 600);
        String ofA = s.issuer().fetch(a, 1).get(0).id(); // room for one task: no check rides along
        String ofB = s.issuer().fetch(b, 1).get(0).id();
        s.report(now(a), List.of(new Scheduler.Report(ofA, "x#0".getBytes(), null)));
        s.report(now(b), List.of(new Scheduler.Report(ofB, null, "trap: unreachable")));
        return job;
    }
}
