package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.metrics.PathTrace;
import org.enjambre.coordinator.cluster.UnitChange;
import org.enjambre.coordinator.cluster.UnitProcessor;
import org.enjambre.coordinator.cluster.UnitTable;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.metrics.Metrics;
import org.enjambre.coordinator.store.Store;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.transition.Event;
import org.enjambre.workunits.trust.Reputation.Evidence;

import java.time.Clock;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Applies a worker's report (BOINC's scheduler reply handling, validator and credit): each result goes
 * through its unit's transition; spot-check answers are judged, and a wrong one blacklists the worker and
 * backtracks every result of it not validated yet, wherever its unit lives. Every change is durable before
 * the worker hears of it; a worker whose spot-check passed is announced to every peer (credibility).
 *
 * <p>Blocks (table and store): call it off event loops. Reads time only from its clock.
 */
public final class ReportHandler {
    private final UnitTable units;
    private final JobDirectory jobs;
    private final WorkerDirectory workers;
    private final Durable store;
    private final Checks checks;
    private final Peers peers;
    private final Credit credit;
    private final Metrics metrics;
    private final Clock clock;

    ReportHandler(UnitTable units, JobDirectory jobs, WorkerDirectory workers, Durable store, Checks checks, Peers peers,
                  Credit credit, Metrics metrics, Clock clock) {
        this.units = units;
        this.jobs = jobs;
        this.workers = workers;
        this.store = store;
        this.checks = checks;
        this.peers = peers;
        this.credit = credit;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** A result on its way through its unit's transition. */
    private record Pending(Scheduler.Report report, JobRecord job, TaskId id, Event event) {
    }

    /** Applies a worker's report; durable before it returns. */
    public Scheduler.ReportOutcome report(WorkerRecord worker, List<Scheduler.Report> reports) {
        long now = clock.millis();
        List<String> accepted = new ArrayList<>();
        List<Scheduler.Refusal> rejected = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        WorkerDeltas deltas = new WorkerDeltas();
        boolean failedCheck = false;
        Map<String, Optional<JobRecord>> found = new HashMap<>(); // a batch's results are mostly of one job: look it up once
        double credibility = Scheduler.CREDIBILITY.ofWorker(worker.trust());
        for (Scheduler.Report r : reports) {
            if (!seen.add(r.id())) {
                rejected.add(new Scheduler.Refusal(r.id(), "DUPLICATE", "task " + r.id() + " appears twice in this report"));
                continue;
            }
            if (worker.blacklisted()) {
                rejected.add(new Scheduler.Refusal(r.id(), "BLACKLISTED", "worker " + worker.id()
                        + " is blacklisted after a wrong answer to a known-answer task; its results are not used"));
                continue;
            }
            if (r.id().startsWith(SpotChecks.PREFIX)) {
                failedCheck |= judgeCheck(worker, r, accepted, rejected, deltas);
                continue;
            }
            TaskId id = TaskId.parse(r.id());
            if (id == null) {
                rejected.add(new Scheduler.Refusal(r.id(), "BAD_TASK_ID", "'" + r.id() + "' is not a task id (jobId/unit/replica)"));
                continue;
            }
            Optional<JobRecord> job = found.computeIfAbsent(id.jobId(), jobs::find);
            if (job.isEmpty()) {
                rejected.add(new Scheduler.Refusal(r.id(), "UNKNOWN_TASK", "no job '" + id.jobId() + "'"));
                continue;
            }
            Event event = event(jobs.app(job.get().app()), id, worker, r, credibility, now);
            pending.add(new Pending(r, job.get(), id, event));
        }
        List<WorkUnit> changed = new ArrayList<>();
        // Every result's event handed over at once, then gathered.
        List<UnitTable.Step> steps = new ArrayList<>(pending.size());
        for (Pending p : pending) {
            steps.add(new UnitTable.Step(p.id().unitKey(), p.job().app(), p.event(), null));
        }
        List<UnitChange> changes = units.applyEach(steps);
        for (int i = 0; i < pending.size(); i++) {
            Pending p = pending.get(i);
            UnitChange c = changes.get(i);
            if (c.unit() == null) {
                c = repeatForFinishedJob(p.id(), p.job().app(), p.event(), c);
            }
            if (!c.accepted()) {
                rejected.add(new Scheduler.Refusal(p.report().id(), c.rejection().reason().name(), c.rejection().message()));
                continue;
            }
            accepted.add(p.report().id());
            changed.add(c.unit()); // even unchanged: re-writing makes a retried report durable
            if (c.changed()) {
                deltas.reported(worker.id());
                credit.credit(p.job(), c, deltas);
            }
        }
        List<String> convicted = new ArrayList<>(checks.takeConvicted());
        convicted.remove(worker.id());
        for (String other : convicted) {
            // It contradicted a known answer that was provisional then and is confirmed now: a failed spot-check.
            deltas.evidence(other, Evidence.SPOT_CHECK_FAILED);
            metrics.spotCheckFailed();
        }
        if (failedCheck) {
            convicted.add(worker.id());
        }
        for (String w : convicted) {
            backtrack(w, changed, deltas);
        }
        List<WorkerRecord> records = workers.apply(deltas.stats());
        PathTrace.mark("report: applied");
        store.writeNow(new Store.Batch(changed, records, List.of()));
        PathTrace.mark("report: journaled");
        for (String w : convicted) {
            // Blacklisted now: what it holds in progress is reissued at once on every peer, not at its deadline.
            peers.releaseEverywhere(w, Set.of(), "worker " + w + " was blacklisted");
        }
        metrics.reported(accepted.size(), rejected.size());
        for (WorkerRecord w : records) {
            WorkerRecord.Stats d = deltas.get(w.id());
            if (d != null && d.spotPassed() > 0 && !w.blacklisted()) {
                peers.credibilityRaised(w.id(), Scheduler.CREDIBILITY.ofWorker(w.trust()));
            }
        }
        return new Scheduler.ReportOutcome(accepted, rejected);
    }

    /** The event a result means for its unit: a success, or an error (reported, or a malformed output). */
    private static Event event(App app, TaskId id, WorkerRecord worker, Scheduler.Report r, double credibility, long now) {
        if (r.output() == null) {
            return new Event.ClientError(id.replica(), worker.id(), r.error(), now);
        }
        // An output kept as a file is checked by its content hash only (its bytes are not read to report it).
        return org.enjambre.workunits.app.OutputFile.is(r.output()) || app.wellFormed(r.output())
                ? new Event.Success(id.replica(), worker.id(), r.output(), now, credibility)
                : new Event.ClientError(id.replica(), worker.id(), "malformed output for app " + app.name(), now);
    }

    /** Judges an answer to a spot-check; returns whether it was wrong. */
    private boolean judgeCheck(WorkerRecord worker, Scheduler.Report r, List<String> accepted, List<Scheduler.Refusal> rejected,
                               WorkerDeltas deltas) {
        switch (checks.judge(r.id(), worker.id(), r.output())) {
            case NOT_YOURS -> rejected.add(new Scheduler.Refusal(r.id(), "NOT_YOURS", "task " + r.id() + " was not sent to worker " + worker.id()));
            case UNKNOWN -> accepted.add(r.id()); // answered before, or expired: nothing to do
            case PASSED -> {
                accepted.add(r.id());
                deltas.evidence(worker.id(), Evidence.SPOT_CHECK_PASSED);
            }
            case ERRORED -> {
                accepted.add(r.id());
                deltas.evidence(worker.id(), Evidence.ERROR);
            }
            case FAILED -> {
                accepted.add(r.id());
                deltas.evidence(worker.id(), Evidence.SPOT_CHECK_FAILED);
                metrics.spotCheckFailed();
                return true;
            }
        }
        return false;
    }

    /**
     * After a failed spot-check: every result of the worker not validated yet becomes INVALID, wherever
     * its unit lives, and the unit gets replicas to recompute it.
     */
    private void backtrack(String workerId, List<WorkUnit> changed, WorkerDeltas deltas) {
        for (UnitChange c : units.invalidate(workerId)) {
            changed.add(c.unit());
            jobs.find(c.unit().jobId()).ifPresent(job -> credit.credit(job, c, deltas)); // rare: after a failed spot-check
        }
    }

    /**
     * A report for a unit that is no longer in memory because its job ended: a repeat of a report
     * already applied (its acknowledgement was lost on the way) is accepted again, as the protocol
     * promises, and a different one is refused as the unit would refuse it; a report that would still
     * change the unit comes too late and stays refused as {@code missing}.
     */
    private UnitChange repeatForFinishedJob(TaskId id, String app, Event event, UnitChange missing) {
        // The cluster's record, not the scheduler's recent one: the unit may already be gone from memory while the
        // job's COMPLETED event is still on its way here (WorkerProtocolTest caught it).
        Optional<JobRecord> job = jobs.findNow(id.jobId());
        if (job.isEmpty() || !job.get().state().terminal()) {
            return missing;
        }
        Optional<WorkUnit> stored = store.unit(id.jobId(), id.unit());
        if (stored.isEmpty()) {
            return missing;
        }
        UnitChange c = new UnitProcessor(app, event).process(new AbstractMap.SimpleEntry<>(id.unitKey(), stored.get()));
        return c.accepted() && c.changed() ? missing : c;
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
