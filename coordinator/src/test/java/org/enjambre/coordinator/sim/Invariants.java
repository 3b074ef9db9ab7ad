package org.enjambre.coordinator.sim;

import org.enjambre.coordinator.jobs.JobCounters;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.jobs.UnitCounts;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.TaskState;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.ValidateState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.coordinator.sched.SpotChecks;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What must hold in every run, checked as it goes and at its end: jobs final within their bound; a
 * COMPLETED job's result is the app's answer; an acknowledged result is in the store; a unit DONE on a
 * wrong result only through colluding saboteurs; each peer's index counts what it owns, never below zero;
 * a blacklisted worker holds no replica once released.
 */
final class Invariants {
    /** What a run measured. */
    record Stats(int jobs, int completed, int failed, int wrongUnits, int wrongJobs, int acked, int blacklisted,
                 Map<String, int[]> byPolicy) {
    }

    private record Expect(JobRecord job, byte[][] answers, byte[] result, long bound) {
    }

    private final Swarm swarm;
    private final Map<String, Expect> expected = new TreeMap<>();
    private final Map<String, JobRecord> finished = new TreeMap<>();
    private final Set<String> acked = new TreeSet<>();
    private final Set<String> blacklisted = new TreeSet<>();
    private int wrongUnits;
    private int wrongJobs;
    /** Completed jobs and wrong ones among them, by the job's redundancy policy (JSON). */
    private final Map<String, int[]> byPolicy = new TreeMap<>();

    Invariants(Swarm swarm) {
        this.swarm = swarm;
    }

    void expect(JobRecord job, byte[][] answers, byte[] result, long bound) {
        expected.put(job.id(), new Expect(job, answers, result, bound));
    }

    /** The time after which the run stops: the latest job bound (jobs not submitted yet keep it open). */
    long horizon() {
        long h = Swarm.START + Swarm.FAULT_WINDOW;
        for (Expect e : expected.values()) {
            h = Math.max(h, e.bound());
        }
        return h;
    }

    boolean allFinal() {
        return !expected.isEmpty() && finished.size() == expected.size() && swarm.now() > Swarm.START + 300_000;
    }

    void jobFinished(JobRecord job) {
        if (finished.putIfAbsent(job.id(), job) != null) {
            swarm.fail("job " + job.id() + " finished twice: " + finished.get(job.id()).state() + " then " + job.state());
        }
        Expect e = expected.get(job.id());
        if (swarm.now() > e.bound()) {
            swarm.fail("job " + job.id() + " became " + job.state() + " after its bound (" + (swarm.now() - e.bound()) + " ms late)");
        }
        if (job.state() == JobState.COMPLETED) {
            byte[] got = swarm.store().result(job.id()).orElseThrow().body();
            int[] policy = byPolicy.computeIfAbsent(org.enjambre.coordinator.jobs.JobSpecs.of(job).redundancyJson().toString(),
                    k -> new int[2]);
            policy[0]++;
            if (!Arrays.equals(got, e.result())) {
                policy[1]++;
                int wrong = wrongDone(job.id(), swarm.table().snapshot());
                if (wrong == 0) {
                    swarm.fail("job " + job.id() + " COMPLETED with " + new String(got) + ", the answer is " + new String(e.result()));
                }
                wrongJobs++;
            }
        }
    }

    /**
     * Counts the job's units DONE on a wrong result; fails unless only colluding saboteurs made each of them. A unit the
     * table no longer holds is read from the store: the store announces a finished job when its final record is written,
     * and a COMPLETED record is written behind, after the job's units left memory.
     */
    private int wrongDone(String jobId, Map<String, WorkUnit> units) {
        Expect e = expected.get(jobId);
        int wrong = 0;
        for (int i = 0; i < e.answers().length; i++) {
            WorkUnit u = units.get(WorkUnit.id(jobId, i));
            if (u == null) {
                u = swarm.store().unit(jobId, i).orElse(null);
            }
            if (u == null || u.state() != UnitState.DONE || u.canonicalOutput().isEmpty()
                    || Arrays.equals(u.canonicalOutput().get(), e.answers()[i])) {
                continue;
            }
            for (Task t : u.tasks()) {
                if (t.validate() == ValidateState.VALID && !saboteur(t.workerId())) {
                    swarm.fail("unit " + u.id() + " DONE on a wrong result validated for " + t.workerId() + ", not a saboteur");
                }
            }
            wrong++;
        }
        return wrong;
    }

    private boolean saboteur(String workerId) {
        return swarm.simWorkers.stream().anyMatch(w -> w.id.equals(workerId) && w.kind == SimWorker.Kind.SABOTEUR);
    }

    void acknowledged(String taskId) {
        if (!taskId.startsWith(SpotChecks.PREFIX)) {
            acked.add(taskId);
        }
    }

    /** Every result a worker heard was accepted is in the store, its task over. */
    void ackedInStore(String when) {
        for (String id : acked) {
            int b = id.lastIndexOf('/');
            int a = id.lastIndexOf('/', b - 1);
            String jobId = id.substring(0, a);
            int unit = Integer.parseInt(id.substring(a + 1, b));
            int replica = Integer.parseInt(id.substring(b + 1));
            WorkUnit u = swarm.store().unit(jobId, unit).orElse(null);
            if (u == null || u.tasks().size() <= replica || u.task(replica).state() != TaskState.OVER) {
                swarm.fail("acknowledged result " + id + " is not in the store " + when + ": "
                        + (u == null ? "no unit stored" : u.tasks().size() <= replica ? "no such replica" : u.task(replica)));
            }
        }
    }

    /** Called when {@code workerId} was just blacklisted (and released on every live peer). */
    void releasedAfterBlacklist(String workerId) {
        blacklisted.add(workerId);
        if (!swarm.partitions().settled(swarm.livePeers())) {
            return; // units in partitions on the move are released by their deadline
        }
        swarm.table().snapshot().forEach((k, u) -> {
            for (Task t : u.terminal() ? List.<Task>of() : u.tasks()) {
                if (t.state() == TaskState.IN_PROGRESS && workerId.equals(t.workerId())) {
                    swarm.fail("unit " + k + " still has replica " + t.replica() + " in progress on blacklisted " + workerId);
                }
            }
        });
    }

    /** Each settled peer's index counts exactly the units it owns (recounted from the table), none below zero. */
    void audit() {
        if (!swarm.partitions().settled(swarm.livePeers())) {
            return;
        }
        Map<String, WorkUnit> all = swarm.table().snapshot();
        for (SimPeer p : swarm.livePeers()) {
            Map<String, long[]> states = new TreeMap<>();
            Map<String, long[]> tasks = new TreeMap<>();
            all.forEach((k, u) -> {
                if (p.covered().contains(Partitions.of(k))) {
                    long[] c = states.computeIfAbsent(u.jobId(), j -> new long[UnitCounts.NO_ELIGIBLE_WORKER]);
                    c[u.state().ordinal()]++;
                    c[UnitCounts.WAITING] += UnitCounts.waiting(u) ? 1 : 0;
                    c[UnitCounts.WAITING_CREDIBILITY] += UnitCounts.waitingForCredibility(u) ? 1 : 0;
                    JobCounters.add(tasks.computeIfAbsent(u.jobId(), j -> new long[JobCounters.SIZE]), JobCounters.of(u));
                }
            });
            for (String jobId : swarm.jobIds()) {
                long[] want = states.getOrDefault(jobId, new long[UnitCounts.NO_ELIGIBLE_WORKER]);
                long[] counts = p.index().counts(jobId);
                // Every slot the table determines; NO_ELIGIBLE_WORKER is the placement watcher's finding (⊆ NEEDS_REPLICAS).
                long[] got = Arrays.copyOf(counts, UnitCounts.NO_ELIGIBLE_WORKER);
                if (counts.length > UnitCounts.NO_ELIGIBLE_WORKER
                        && counts[UnitCounts.NO_ELIGIBLE_WORKER] > counts[UnitState.NEEDS_REPLICAS.ordinal()]) {
                    swarm.fail(p.name() + "'s index counts more units of job " + jobId + " without an eligible worker than"
                            + " needing replicas: " + Arrays.toString(counts));
                }
                long[] wantTasks = tasks.getOrDefault(jobId, new long[JobCounters.SIZE]);
                long[] gotTasks = p.index().taskCounts(jobId);
                boolean live = all.keySet().stream().anyMatch(k -> k.startsWith(jobId + "/"));
                if (live && (!Arrays.equals(want, got) || !Arrays.equals(wantTasks, gotTasks))) {
                    swarm.fail(p.name() + "'s index counts job " + jobId + " as " + Arrays.toString(got) + " / tasks "
                            + Arrays.toString(gotTasks) + "; the table has " + Arrays.toString(want) + " / " + Arrays.toString(wantTasks));
                }
                for (long c : counts) {
                    if (c < 0) {
                        swarm.fail(p.name() + "'s index counts job " + jobId + " below zero: " + Arrays.toString(counts));
                    }
                }
            }
        }
    }

    /**
     * Whether some unit of the job needs replicas that no registered, not blacklisted worker may take under the
     * placement rule (one replica per worker, ever): a known open stall, reported apart from failures.
     */
    private boolean stuckByPlacement(String jobId, Map<String, WorkUnit> all) {
        for (Map.Entry<String, WorkUnit> en : all.entrySet()) {
            WorkUnit u = en.getValue();
            if (!en.getKey().startsWith(jobId + "/") || u.state() != UnitState.NEEDS_REPLICAS) {
                continue;
            }
            boolean someone = swarm.simWorkers.stream().anyMatch(w -> !swarm.workers().get(w.id).blacklisted()
                    && u.tasks().stream().noneMatch(t -> w.id.equals(t.workerId())));
            if (!someone) {
                return true;
            }
        }
        return false;
    }

    /** The end of a run: every job final in time, results right, acknowledged results stored. */
    void atEnd() {
        for (Expect e : expected.values()) {
            if (!finished.containsKey(e.job().id())) {
                JobRecord now = swarm.jobs().find(e.job().id()).orElse(e.job());
                Map<String, WorkUnit> all = swarm.table().snapshot();
                StringBuilder b = new StringBuilder();
                all.forEach((k, u) -> {
                    if (k.startsWith(e.job().id() + "/")) {
                        b.append("\n    ").append(k).append(' ').append(u.state()).append(" owner p").append(swarm.partitions().owner(k))
                                .append(" tasks ").append(u.tasks().stream().map(t -> t.replica() + ":" + t.state() + "/" + t.outcome()
                                        + "@" + t.workerId()).toList());
                    }
                });
                String what = "job " + e.job().id() + " is still " + now.state() + " at its bound " + (e.bound() - Swarm.START) / 1000
                        + " s; its units:" + b;
                if (stuckByPlacement(e.job().id(), all)) {
                    swarm.stuck("placement stall (issue 15 item 4): no worker left may take a unit; " + what);
                }
                swarm.fail(what);
            }
        }
        ackedInStore("at the end");
        for (JobRecord j : finished.values()) {
            if (j.state() == JobState.COMPLETED) {
                Map<String, WorkUnit> stored = new TreeMap<>();
                swarm.store().units(j.id()).forEach((i, u) -> stored.put(WorkUnit.id(j.id(), i), u));
                wrongUnits += wrongDone(j.id(), stored);
            }
        }
    }

    Stats stats() {
        int completed = (int) finished.values().stream().filter(j -> j.state() == JobState.COMPLETED).count();
        return new Stats(expected.size(), completed, finished.size() - completed, wrongUnits, wrongJobs, acked.size(),
                blacklisted.size(), byPolicy);
    }
}
