package org.enjambre.coordinator.sched;

import com.hazelcast.map.IMap;
import org.enjambre.coordinator.cluster.UnitChange;
import org.enjambre.coordinator.cluster.UnitProcessor;
import org.enjambre.coordinator.jobs.JobRecord;
import org.enjambre.coordinator.jobs.JobService;
import org.enjambre.coordinator.jobs.JobSpecs;
import org.enjambre.coordinator.metrics.Metrics;
import org.enjambre.coordinator.store.Store;
import org.enjambre.coordinator.workers.WorkerRecord;
import org.enjambre.coordinator.workers.WorkerService;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.Outcome;
import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.TaskState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.transition.Effect;
import org.enjambre.workunits.transition.Event;
import org.enjambre.workunits.trust.Credibility;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands out tasks and takes reports — BOINC's scheduler, transitioner and validator as seen from a
 * worker. Tasks come from the units this peer owns first (higher priority first, round-robin among
 * jobs of equal priority); each is issued by the unit's entry processor, which has the last word.
 * Every report, and every change that follows from one, is durable before the worker hears of it;
 * issued replicas are written behind ({@link Store#writeLater}): a crash of every peer may forget the
 * latest of them, which then come back unsent and whose results are refused as {@code NOT_YOURS}.
 *
 * <p>Methods block (map operations, store commits): call them off event loops.
 */
public final class Scheduler {
    /** Placement rules beyond "one replica per worker". */
    public record Placement(boolean distinctAccounts, boolean distinctHosts) {
    }

    /** A task handed to a worker. */
    public record Assignment(String id, String app, byte[] input, long deadline, double cost, String blob) {
    }

    /** One result in a worker's report: an output, or an error message. */
    public record Report(String id, byte[] output, String error) {
    }

    /** A refused report item. */
    public record Refusal(String id, String code, String message) {
    }

    /** The answer to a report. */
    public record ReportOutcome(List<String> accepted, List<Refusal> rejected) {
    }

    private static final int SCAN_LIMIT = 256;
    /**
     * The saboteur fraction credibility assumes (Sarmenta's f): a fresh worker's result is right with
     * probability 1 − f; each passed spot-check raises it. The same on every peer, so all judge alike.
     */
    public static final Credibility CREDIBILITY = Credibility.assuming(0.1);
    /** The spot-check rate for workers that hold results waiting for credibility, or are not credible alone yet. */
    static final double CREDIBILITY_CHECK_RATE = 0.5;
    /** The deadline of a spot-check sent to a worker that has no other work here. */
    private static final long WAITING_CHECK_DEADLINE_MILLIS = 600_000;
    /** Consecutive valid results before a worker may run units of an adaptive job alone (BOINC: 10). */
    static final int ADAPTIVE_THRESHOLD = 10;

    private final IMap<String, WorkUnit> units;
    private final LocalIndex index;
    private final JobService jobs;
    private final WorkerService workers;
    private final Store store;
    private final Clock clock;
    private final Placement placement;
    private final Metrics metrics;
    private final AtomicLong rotation = new AtomicLong();
    private volatile java.util.function.BiFunction<WorkerRecord, Integer, List<String>> stealing;
    private volatile SpotChecks spotChecks;
    private volatile java.util.function.BiConsumer<String, Double> credibilityRaised = (w, c) -> { };
    /** Credibility jobs seen running here (id → θ), for checking workers that have no work here. */
    private final Map<String, Double> credibilityJobs = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.random.RandomGenerator random = new java.security.SecureRandom();

    public Scheduler(IMap<String, WorkUnit> units, LocalIndex index, JobService jobs, WorkerService workers, Store store,
                     Clock clock, Placement placement, Metrics metrics) {
        this.units = units;
        this.index = index;
        this.jobs = jobs;
        this.workers = workers;
        this.store = store;
        this.clock = clock;
        this.placement = placement;
        this.metrics = metrics;
    }

    /** Enables spot-checks (known-answer tasks) for jobs whose policy asks for them. */
    public void spotChecks(SpotChecks checks) {
        this.spotChecks = checks;
    }

    /**
     * Whom to tell that a worker's credibility rose (it passed spot-checks): every peer, so that each
     * judges again its units whose results wait for it ({@link #revalidate}).
     */
    public void onCredibilityRaised(java.util.function.BiConsumer<String, Double> tell) {
        this.credibilityRaised = tell;
    }

    /** Where to find ready units that other peers own: (worker, how many) → unit keys. */
    public void stealFrom(java.util.function.BiFunction<WorkerRecord, Integer, List<String>> source) {
        this.stealing = source;
    }

    /** The placement reference of a worker under this peer's rules. */
    public WorkerRef ref(WorkerRecord w) {
        return new WorkerRef(w.id(), placement.distinctAccounts() ? w.account() : null,
                placement.distinctHosts() ? w.host() : null);
    }

    /**
     * Whether {@code worker} has passed fewer spot-checks than a result of its needs to be accepted alone by
     * a credibility job this peer has seen running (jobs that ended are forgotten here).
     */
    private boolean needsCredibility(WorkerRecord worker) {
        for (Map.Entry<String, Double> e : credibilityJobs.entrySet()) {
            Optional<JobRecord> job = jobs.find(e.getKey());
            if (job.isEmpty() || job.get().state().terminal()) {
                credibilityJobs.remove(e.getKey());
            } else if (worker.apps().contains(job.get().app())
                    && worker.spotChecksPassed() < CREDIBILITY.checksFor(e.getValue())) {
                return true;
            }
        }
        return false;
    }

    /** Issues up to {@code max} tasks to {@code worker}; an empty list when nothing suits it now. */
    public List<Assignment> fetch(WorkerRecord worker, int max) {
        if (worker.blacklisted() || max <= 0) {
            return List.of();
        }
        WorkerRef ref = ref(worker);
        long now = clock.millis();
        List<JobRecord> candidates = new ArrayList<>();
        for (String jobId : index.readyJobs()) {
            jobs.find(jobId).ifPresent(j -> {
                if (!j.state().terminal() && worker.apps().contains(j.app())) {
                    candidates.add(j);
                }
            });
        }
        candidates.sort(Comparator.comparingInt(JobRecord::priority).reversed());
        // Round-robin among the jobs of the top priority that has work: rotate where we start.
        int top = candidates.isEmpty() ? 0 : candidates.get(0).priority();
        int equal = (int) candidates.stream().filter(j -> j.priority() == top).count();
        int start = equal == 0 ? 0 : (int) Math.floorMod(rotation.getAndIncrement(), equal);
        List<JobRecord> order = new ArrayList<>(candidates.size());
        for (int i = 0; i < equal; i++) {
            order.add(candidates.get((start + i) % equal));
        }
        order.addAll(candidates.subList(equal, candidates.size()));

        List<Assignment> out = new ArrayList<>();
        List<WorkUnit> changed = new ArrayList<>();
        List<JobRecord> started = new ArrayList<>();
        SpotChecks checks = spotChecks;
        if (checks != null) {
            double rate = 0;
            long deadlineMillis = 0;
            for (JobRecord j : candidates) {
                JobSpecs.Parsed spec = JobSpecs.of(j);
                org.enjambre.workunits.spec.Redundancy r = spec.redundancy();
                rate = Math.max(rate, r.spotCheckRate());
                if (r.credibilityBased() && r.spotCheckRate() > 0) {
                    credibilityJobs.put(j.id(), r.credibility());
                    if (worker.spotChecksPassed() < CREDIBILITY.checksFor(r.credibility())) {
                        rate = Math.max(rate, CREDIBILITY_CHECK_RATE); // not credible alone yet (Sarmenta)
                    }
                }
                deadlineMillis = Math.max(deadlineMillis, spec.deadlineMillis());
            }
            // Without work here, a worker is still checked while its results wait for credibility (they may be
            // on other peers) or it is not credible alone for a credibility job running: only checks move
            // those results on.
            if (candidates.isEmpty() && (!index.waitingOn(worker.id()).isEmpty() || needsCredibility(worker))) {
                rate = CREDIBILITY_CHECK_RATE;
                deadlineMillis = WAITING_CHECK_DEADLINE_MILLIS;
            }
            for (int i = 0; i < max && out.size() < (max + 1) / 2; i++) {
                if (checks.due(worker, rate)) {
                    checks.create(worker, now, now + deadlineMillis).ifPresent(out::add);
                }
            }
        }
        for (int round = 0; round < 2 && out.size() < max; round++) {
            for (JobRecord job : order) {
                if (out.size() >= max) {
                    break;
                }
                // First round: share among jobs of equal priority; second round: fill up from any.
                int want = round == 0 && job.priority() == top ? Math.max(1, (max + equal - 1) / equal) : max - out.size();
                want = Math.min(want, max - out.size());
                List<String> keys = new ArrayList<>();
                for (LocalIndex.Ready r : index.ready(job.id(), ref, want, SCAN_LIMIT)) {
                    keys.add(r.key());
                }
                issue(job, keys, ref, worker, now, out, changed, started);
            }
        }
        if (out.size() < max && stealing != null) {
            // This peer's own units are all taken: take ready units that other peers own.
            for (String key : stealing.apply(worker, max - out.size())) {
                jobs.find(key.substring(0, key.lastIndexOf('/'))).ifPresent(job -> {
                    if (!job.state().terminal() && worker.apps().contains(job.app())) {
                        issue(job, List.of(key), ref, worker, now, out, changed, started);
                    }
                });
                if (out.size() >= max) {
                    break;
                }
            }
        }
        // Issued replicas are written behind: losing one in a crash costs a recomputation, never a wrong
        // result, and its unit is usually written again by a report within the delay, then only once.
        store.writeLater(Store.Batch.units(changed));
        if (!started.isEmpty()) {
            store.writeNow(new Store.Batch(List.of(), List.of(), started)); // rare: a job's first issue
        }
        metrics.issued(out.size());
        return out;
    }

    private void issue(JobRecord job, List<String> keys, WorkerRef ref, WorkerRecord trusted, long now, List<Assignment> out,
                       List<WorkUnit> changed, List<JobRecord> started) {
        if (keys.isEmpty()) {
            return;
        }
        JobSpecs.Parsed spec = JobSpecs.of(job);
        long deadline = now + spec.deadlineMillis();
        Event.Issue issue = new Event.Issue(ref, now, deadline);
        List<CompletableFuture<UnitChange>> futures = new ArrayList<>();
        org.enjambre.workunits.spec.Redundancy policy = spec.redundancy();
        double solo = 0;
        if (policy.adaptive() && policy.replicas() > 1 && trusted != null) {
            // BOINC's adaptive replication, with spot-checks as the proof of trust when the job has them.
            solo = new org.enjambre.workunits.trust.ReplicationPolicy.Adaptive(ADAPTIVE_THRESHOLD,
                    policy.spotCheckRate() > 0 ? 1 : 0).soloProbability(trusted.trust());
        }
        for (String key : keys) {
            org.enjambre.workunits.spec.Redundancy replan = solo > 0 && random.nextDouble() < solo ? policy.withReplicas(1, 1) : null;
            futures.add(units.submitToKey(key, new UnitProcessor(job.app(), issue, replan)).toCompletableFuture());
        }
        App app = jobs.apps().get(job.app());
        int issued = 0;
        for (CompletableFuture<UnitChange> f : futures) {
            UnitChange c = f.join();
            if (!c.accepted() || !c.changed()) {
                continue;
            }
            changed.add(c.unit());
            for (Effect e : c.effects()) {
                if (e instanceof Effect.Issued is) {
                    WorkUnit u = c.unit();
                    out.add(new Assignment(u.id() + "/" + is.replica(), job.app(),
                            app.unitInput(spec.input(), job.workUnits(), u.index()), deadline,
                            app.cost(spec.input(), job.workUnits(), u.index()),
                            org.enjambre.workunits.wasm.WasmApp.moduleOf(spec.input()).orElse(null)));
                    issued++;
                }
            }
        }
        if (issued > 0) {
            if (job.state() == JobState.QUEUED) {
                jobs.markRunning(job.id()).ifPresent(started::add);
            }
        }
    }

    /** Applies a worker's report; durable before it returns. */
    public ReportOutcome report(WorkerRecord worker, List<Report> reports) {
        long now = clock.millis();
        List<String> accepted = new ArrayList<>();
        List<Refusal> rejected = new ArrayList<>();
        record Pending(Report report, JobRecord job, TaskId id, Event event, CompletableFuture<UnitChange> change) {
        }
        List<Pending> pending = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Map<String, WorkerRecord.Stats> deltas = new HashMap<>();
        boolean failedCheck = false;
        Map<String, Optional<JobRecord>> found = new HashMap<>(); // a batch's results are mostly of one job: look it up once
        double credibility = CREDIBILITY.ofWorker(worker.trust());
        for (Report r : reports) {
            if (!seen.add(r.id())) {
                rejected.add(new Refusal(r.id(), "DUPLICATE", "task " + r.id() + " appears twice in this report"));
                continue;
            }
            if (worker.blacklisted()) {
                rejected.add(new Refusal(r.id(), "BLACKLISTED", "worker " + worker.id()
                        + " is blacklisted after a wrong answer to a known-answer task; its results are not used"));
                continue;
            }
            if (r.id().startsWith(SpotChecks.PREFIX) && spotChecks != null) {
                SpotChecks.Verdict v = spotChecks.judge(r.id(), worker.id(), r.output());
                switch (v) {
                    case NOT_YOURS -> rejected.add(new Refusal(r.id(), "NOT_YOURS", "task " + r.id() + " was not sent to worker " + worker.id()));
                    case UNKNOWN -> accepted.add(r.id()); // answered before, or expired: nothing to do
                    case PASSED -> {
                        accepted.add(r.id());
                        deltas.merge(worker.id(), WorkerRecord.Stats.NONE.plusSpotPassed(), WorkerRecord.Stats::plus);
                    }
                    case ERRORED -> {
                        accepted.add(r.id());
                        deltas.merge(worker.id(), WorkerRecord.Stats.NONE.plusError(), WorkerRecord.Stats::plus);
                    }
                    case FAILED -> {
                        accepted.add(r.id());
                        failedCheck = true;
                        deltas.merge(worker.id(), WorkerRecord.Stats.NONE.plusSpotFailed(), WorkerRecord.Stats::plus);
                        metrics.spotCheckFailed();
                    }
                }
                continue;
            }
            TaskId id = TaskId.parse(r.id());
            if (id == null) {
                rejected.add(new Refusal(r.id(), "BAD_TASK_ID", "'" + r.id() + "' is not a task id (jobId/unit/replica)"));
                continue;
            }
            Optional<JobRecord> job = found.computeIfAbsent(id.jobId(), jobs::find);
            if (job.isEmpty()) {
                rejected.add(new Refusal(r.id(), "UNKNOWN_TASK", "no job '" + id.jobId() + "'"));
                continue;
            }
            App app = jobs.apps().get(job.get().app());
            Event event;
            if (r.output() != null) {
                event = app.wellFormed(r.output())
                        ? new Event.Success(id.replica(), worker.id(), r.output(), now, credibility)
                        : new Event.ClientError(id.replica(), worker.id(), "malformed output for app " + app.name(), now);
            } else {
                event = new Event.ClientError(id.replica(), worker.id(), r.error(), now);
            }
            pending.add(new Pending(r, job.get(), id, event,
                    units.submitToKey(id.unitKey(), new UnitProcessor(app.name(), event)).toCompletableFuture()));
        }
        List<WorkUnit> changed = new ArrayList<>();
        for (Pending p : pending) {
            UnitChange c = p.change().join();
            if (c.unit() == null) {
                c = repeatForFinishedJob(p.id(), p.job().app(), p.event(), c);
            }
            if (!c.accepted()) {
                rejected.add(new Refusal(p.report().id(), c.rejection().reason().name(), c.rejection().message()));
                continue;
            }
            accepted.add(p.report().id());
            changed.add(c.unit()); // even unchanged: re-writing makes a retried report durable
            if (c.changed()) {
                deltas.merge(worker.id(), WorkerRecord.Stats.NONE.plusReported(), WorkerRecord.Stats::plus);
                credit(p.job(), c, deltas);
            }
        }
        if (failedCheck) {
            backtrack(worker.id(), changed, deltas);
        }
        List<WorkerRecord> records = workers.apply(deltas);
        store.writeNow(new Store.Batch(changed, records, List.of()));
        metrics.reported(accepted.size(), rejected.size());
        for (WorkerRecord w : records) {
            WorkerRecord.Stats d = deltas.get(w.id());
            if (d != null && d.spotPassed() > 0 && !w.blacklisted()) {
                credibilityRaised.accept(w.id(), CREDIBILITY.ofWorker(w.trust()));
            }
        }
        return new ReportOutcome(accepted, rejected);
    }

    /**
     * Judges again the units owned here with results from {@code workerId} not judged yet, now that
     * the worker's credibility is {@code credibility}; durable before it returns. Returns how many changed.
     */
    public int revalidate(String workerId, double credibility) {
        List<String> keys = index.waitingOn(workerId);
        return keys.isEmpty() ? 0 : applyOwned(keys, new Event.Credible(workerId, credibility, clock.millis())).size();
    }

    /**
     * Units owned here whose results have waited for credibility too long get one more replica (or fail at
     * {@code maxResults}): after the job's deadline when spot-checks could still raise the credibility, at
     * once when nothing can (the job has no spot-checks, or this peer knows no answer to check its app with
     * yet, as in a fresh cluster: voting then produces the first known answers). Returns how many changed.
     */
    public int unstick() {
        long now = clock.millis();
        Map<String, Long> waiting = index.waitingSince(now);
        if (waiting.isEmpty()) {
            return 0;
        }
        List<String> stalled = new ArrayList<>();
        Map<String, Optional<JobRecord>> found = new HashMap<>();
        SpotChecks checks = spotChecks;
        waiting.forEach((key, since) -> {
            Optional<JobRecord> job = found.computeIfAbsent(key.substring(0, key.lastIndexOf('/')), jobs::find);
            if (job.isEmpty() || job.get().state().terminal()) {
                return;
            }
            JobSpecs.Parsed spec = JobSpecs.of(job.get());
            boolean checkable = checks != null && spec.redundancy().spotCheckRate() > 0 && checks.canCheck(job.get().app());
            if (!checkable || since + spec.deadlineMillis() <= now) {
                stalled.add(key);
            }
        });
        return stalled.isEmpty() ? 0 : applyOwned(stalled, new Event.Stalled(now)).size();
    }

    /**
     * Applies {@code event} to units (of any jobs, each job looked up once), then credits workers and writes the
     * changes durably; returns the changes.
     */
    private List<UnitChange> applyOwned(List<String> keys, Event event) {
        List<CompletableFuture<UnitChange>> futures = new ArrayList<>();
        Map<String, Optional<JobRecord>> found = new HashMap<>();
        for (String key : keys) {
            Optional<JobRecord> job = found.computeIfAbsent(key.substring(0, key.lastIndexOf('/')), jobs::find);
            if (job.isPresent()) {
                futures.add(units.submitToKey(key, new UnitProcessor(job.get().app(), event)).toCompletableFuture());
            }
        }
        List<UnitChange> changes = new ArrayList<>();
        List<WorkUnit> changed = new ArrayList<>();
        Map<String, WorkerRecord.Stats> deltas = new HashMap<>();
        for (CompletableFuture<UnitChange> f : futures) {
            UnitChange c = f.join();
            if (c.accepted() && c.changed()) {
                changes.add(c);
                changed.add(c.unit());
                found.get(c.unit().jobId()).ifPresent(job -> credit(job, c, deltas));
            }
        }
        List<WorkerRecord> records = workers.apply(deltas);
        store.writeNow(new Store.Batch(changed, records, List.of()));
        return changes;
    }

    /**
     * After a failed spot-check: every result of the worker not validated yet becomes INVALID, wherever
     * its unit lives, and the unit gets replicas to recompute it.
     */
    private void backtrack(String workerId, List<WorkUnit> changed, Map<String, WorkerRecord.Stats> deltas) {
        Map<String, UnitChange> touched = units.executeOnEntries(new org.enjambre.coordinator.cluster.InvalidateProcessor(workerId));
        for (UnitChange c : touched.values()) {
            if (c == null || c.unit() == null) {
                continue;
            }
            changed.add(c.unit());
            jobs.find(c.unit().jobId()).ifPresent(job -> credit(job, c, deltas)); // rare: after a failed spot-check
        }
    }

    /**
     * A report for a unit that is no longer in memory because its job ended: a repeat of a report
     * already applied (its acknowledgement was lost on the way) is accepted again, as the protocol
     * promises, and a different one is refused as the unit would refuse it; a report that would still
     * change the unit comes too late and stays refused as {@code missing}.
     */
    private UnitChange repeatForFinishedJob(TaskId id, String app, Event event, UnitChange missing) {
        Optional<JobRecord> job = jobs.find(id.jobId());
        if (job.isEmpty() || !job.get().state().terminal()) {
            return missing;
        }
        Optional<WorkUnit> stored = store.unit(id.jobId(), id.unit());
        if (stored.isEmpty()) {
            return missing;
        }
        UnitChange c = new UnitProcessor(app, event).process(new java.util.AbstractMap.SimpleEntry<>(id.unitKey(), stored.get()));
        return c.accepted() && c.changed() ? missing : c;
    }

    private void credit(JobRecord job, UnitChange c, Map<String, WorkerRecord.Stats> deltas) {
        App app = jobs.apps().get(job.app());
        JobSpecs.Parsed spec = JobSpecs.of(job);
        for (Effect e : c.effects()) {
            if (e instanceof Effect.Judged j) {
                if (j.valid()) {
                    double credit = app.cost(spec.input(), job.workUnits(), c.unit().index());
                    deltas.merge(j.workerId(), WorkerRecord.Stats.NONE.plusValid(credit), WorkerRecord.Stats::plus);
                } else {
                    deltas.merge(j.workerId(), WorkerRecord.Stats.NONE.plusInvalid(), WorkerRecord.Stats::plus);
                    metrics.disagreement();
                }
                metrics.validated(j.valid());
            } else if (e instanceof Effect.Errored err) {
                deltas.merge(err.workerId(), WorkerRecord.Stats.NONE.plusError(), WorkerRecord.Stats::plus);
            } else if (e instanceof Effect.ReplicasCreated rc && c.unit().tasks().size() > c.unit().policy().replicas()) {
                metrics.replicasAdded(rc.count());
            }
        }
    }

    /** Times out the replicas this peer owns whose deadline passed; they are reissued. */
    public int expireDeadlines() {
        long now = clock.millis();
        List<String> overdue = index.overdue(now, 5000);
        if (overdue.isEmpty()) {
            return 0;
        }
        int expired = 0;
        for (UnitChange c : applyOwned(overdue, new Event.DeadlinePassed(now))) {
            expired += (int) c.effects().stream().filter(e -> e instanceof Effect.Errored).count();
        }
        metrics.expired(expired);
        return expired;
    }

    /** A task id {@code jobId/unit/replica}. */
    record TaskId(String jobId, int unit, int replica) {
        static TaskId parse(String id) {
            if (id == null || id.length() > 200) {
                return null;
            }
            int b = id.lastIndexOf('/');
            int a = b > 0 ? id.lastIndexOf('/', b - 1) : -1;
            if (a <= 0) {
                return null;
            }
            try {
                int unit = Integer.parseInt(id.substring(a + 1, b));
                int replica = Integer.parseInt(id.substring(b + 1));
                if (unit < 0 || replica < 0) {
                    return null;
                }
                return new TaskId(id.substring(0, a), unit, replica);
            } catch (NumberFormatException e) {
                return null;
            }
        }

        String unitKey() {
            return WorkUnit.id(jobId, unit);
        }
    }

}
