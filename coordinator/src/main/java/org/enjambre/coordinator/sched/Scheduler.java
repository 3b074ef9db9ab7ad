package org.enjambre.coordinator.sched;

import com.hazelcast.map.IMap;
import org.enjambre.coordinator.cluster.UnitChange;
import org.enjambre.coordinator.cluster.UnitProcessor;
import org.enjambre.coordinator.jobs.JobCounters;
import org.enjambre.coordinator.jobs.JobRecord;
import org.enjambre.coordinator.jobs.JobService;
import org.enjambre.coordinator.jobs.JobSpecs;
import org.enjambre.coordinator.metrics.Metrics;
import org.enjambre.coordinator.store.Store;
import org.enjambre.coordinator.workers.WorkerRecord;
import org.enjambre.coordinator.workers.WorkerService;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.transition.Effect;
import org.enjambre.workunits.transition.Event;

import java.time.Clock;
import java.util.ArrayList;
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
 * Every change is durable before the worker hears of it.
 *
 * <p>Methods block (map operations, store commits): call them off event loops.
 */
public final class Scheduler {
    /** Placement rules beyond "one replica per worker". */
    public record Placement(boolean distinctAccounts, boolean distinctHosts) {
    }

    /** A task handed to a worker. */
    public record Assignment(String id, String app, byte[] input, long deadline, double cost) {
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

    private final IMap<String, WorkUnit> units;
    private final LocalIndex index;
    private final JobService jobs;
    private final WorkerService workers;
    private final Store store;
    private final Clock clock;
    private final Placement placement;
    private final Metrics metrics;
    private final AtomicLong rotation = new AtomicLong();

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

    WorkerRef ref(WorkerRecord w) {
        return new WorkerRef(w.id(), placement.distinctAccounts() ? w.account() : null,
                placement.distinctHosts() ? w.host() : null);
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
        if (candidates.isEmpty()) {
            return List.of();
        }
        candidates.sort(Comparator.comparingInt(JobRecord::priority).reversed());
        // Round-robin among the jobs of the top priority that has work: rotate where we start.
        int top = candidates.get(0).priority();
        int equal = (int) candidates.stream().filter(j -> j.priority() == top).count();
        int start = (int) Math.floorMod(rotation.getAndIncrement(), equal);
        List<JobRecord> order = new ArrayList<>(candidates.size());
        for (int i = 0; i < equal; i++) {
            order.add(candidates.get((start + i) % equal));
        }
        order.addAll(candidates.subList(equal, candidates.size()));

        List<Assignment> out = new ArrayList<>();
        List<WorkUnit> changed = new ArrayList<>();
        List<JobRecord> started = new ArrayList<>();
        for (int round = 0; round < 2 && out.size() < max; round++) {
            for (JobRecord job : order) {
                if (out.size() >= max) {
                    break;
                }
                // First round: share among jobs of equal priority; second round: fill up from any.
                int want = round == 0 && job.priority() == top ? Math.max(1, (max + equal - 1) / equal) : max - out.size();
                want = Math.min(want, max - out.size());
                List<LocalIndex.Ready> ready = index.ready(job.id(), ref, want, SCAN_LIMIT);
                if (ready.isEmpty()) {
                    continue;
                }
                JobSpecs.Parsed spec = JobSpecs.of(job);
                long deadline = now + spec.deadlineMillis();
                Event.Issue issue = new Event.Issue(ref, now, deadline);
                List<CompletableFuture<UnitChange>> futures = new ArrayList<>();
                for (LocalIndex.Ready r : ready) {
                    futures.add(units.submitToKey(r.key(), new UnitProcessor(job.app(), issue)).toCompletableFuture());
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
                                    app.cost(spec.input(), job.workUnits(), u.index())));
                            issued++;
                        }
                    }
                }
                if (issued > 0) {
                    jobs.counters().add(job.id(), JobCounters.ISSUED, issued);
                    if (job.state() == JobState.QUEUED) {
                        jobs.markRunning(job.id()).ifPresent(started::add);
                    }
                }
            }
        }
        store.writeNow(new Store.Batch(changed, List.of(), started));
        metrics.issued(out.size());
        return out;
    }

    /** Applies a worker's report; durable before it returns. */
    public ReportOutcome report(WorkerRecord worker, List<Report> reports) {
        long now = clock.millis();
        List<String> accepted = new ArrayList<>();
        List<Refusal> rejected = new ArrayList<>();
        record Pending(Report report, JobRecord job, CompletableFuture<UnitChange> change) {
        }
        List<Pending> pending = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Map<String, Optional<JobRecord>> found = new HashMap<>(); // a batch's results are mostly of one job: look it up once
        for (Report r : reports) {
            if (!seen.add(r.id())) {
                rejected.add(new Refusal(r.id(), "DUPLICATE", "task " + r.id() + " appears twice in this report"));
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
                        ? new Event.Success(id.replica(), worker.id(), r.output(), now)
                        : new Event.ClientError(id.replica(), worker.id(), "malformed output for app " + app.name(), now);
            } else {
                event = new Event.ClientError(id.replica(), worker.id(), r.error(), now);
            }
            pending.add(new Pending(r, job.get(), units.submitToKey(id.unitKey(), new UnitProcessor(app.name(), event)).toCompletableFuture()));
        }
        List<WorkUnit> changed = new ArrayList<>();
        Map<String, WorkerRecord.Stats> deltas = new HashMap<>();
        for (Pending p : pending) {
            UnitChange c = p.change().join();
            if (!c.accepted()) {
                rejected.add(new Refusal(p.report().id(), c.rejection().reason().name(), c.rejection().message()));
                continue;
            }
            accepted.add(p.report().id());
            changed.add(c.unit()); // even unchanged: re-writing makes a retried report durable
            if (c.changed()) {
                deltas.merge(worker.id(), WorkerRecord.Stats.NONE.plusReported(), WorkerRecord.Stats::plus);
                jobs.counters().add(p.job().id(), JobCounters.REPORTED, 1);
                credit(p.job(), c, deltas);
            }
        }
        List<WorkerRecord> records = workers.apply(deltas);
        store.writeNow(new Store.Batch(changed, records, List.of()));
        metrics.reported(accepted.size(), rejected.size());
        return new ReportOutcome(accepted, rejected);
    }

    private void credit(JobRecord job, UnitChange c, Map<String, WorkerRecord.Stats> deltas) {
        App app = jobs.apps().get(job.app());
        JobSpecs.Parsed spec = JobSpecs.of(job);
        for (Effect e : c.effects()) {
            if (e instanceof Effect.Judged j) {
                if (j.valid()) {
                    double credit = app.cost(spec.input(), job.workUnits(), c.unit().index());
                    deltas.merge(j.workerId(), WorkerRecord.Stats.NONE.plusValid(credit), WorkerRecord.Stats::plus);
                    jobs.counters().add(job.id(), JobCounters.VALID, 1);
                } else {
                    deltas.merge(j.workerId(), WorkerRecord.Stats.NONE.plusInvalid(), WorkerRecord.Stats::plus);
                    jobs.counters().add(job.id(), JobCounters.INVALID, 1);
                    metrics.disagreement();
                }
                metrics.validated(j.valid());
            } else if (e instanceof Effect.Errored err) {
                deltas.merge(err.workerId(), WorkerRecord.Stats.NONE.plusError(), WorkerRecord.Stats::plus);
                jobs.counters().add(job.id(), JobCounters.ERRORS, 1);
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
        Event.DeadlinePassed event = new Event.DeadlinePassed(now);
        List<CompletableFuture<UnitChange>> futures = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (String key : overdue) {
            TaskId id = TaskId.parse(key + "/0");
            Optional<JobRecord> job = id == null ? Optional.empty() : jobs.find(id.jobId());
            if (job.isPresent()) {
                futures.add(units.submitToKey(key, new UnitProcessor(job.get().app(), event)).toCompletableFuture());
                keys.add(key);
            }
        }
        List<WorkUnit> changed = new ArrayList<>();
        Map<String, WorkerRecord.Stats> deltas = new HashMap<>();
        int expired = 0;
        for (int i = 0; i < futures.size(); i++) {
            UnitChange c = futures.get(i).join();
            if (c.changed()) {
                changed.add(c.unit());
                JobRecord job = jobs.find(c.unit().jobId()).orElse(null);
                if (job != null) {
                    credit(job, c, deltas);
                }
                expired += (int) c.effects().stream().filter(e -> e instanceof Effect.Errored).count();
            }
        }
        List<WorkerRecord> records = workers.apply(deltas);
        store.writeNow(new Store.Batch(changed, records, List.of()));
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
