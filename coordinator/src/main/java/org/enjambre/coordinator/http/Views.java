package org.enjambre.coordinator.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.enjambre.coordinator.jobs.JobCounters;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.jobs.CountsOf;
import org.enjambre.coordinator.jobs.UnitCounts;
import org.enjambre.coordinator.store.Json;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.WorkUnit;

import java.time.Instant;

/** The JSON shapes of the public API (docs/api.md): jobs, units, workers. */
public final class Views {
    private Views() {
    }

    static String time(long millis) {
        return millis <= 0 ? null : Instant.ofEpochMilli(millis).toString();
    }

    public static ObjectNode job(JobRecord j, CountsOf jobs, long now) {
        long[] u = jobs.unitCounts(j);
        long[] t = jobs.taskCounts(j);
        long done = u[UnitState.DONE.ordinal()];
        long failed = u[UnitState.FAILED.ordinal()];
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", j.id());
        n.put("name", j.name());
        n.put("app", j.app());
        n.put("state", j.state().name());
        n.put("priority", j.priority());
        double progress = j.state() == JobState.COMPLETED ? 1.0 : j.workUnits() == 0 ? 0 : (double) done / j.workUnits();
        n.put("progress", progress);
        ObjectNode wu = n.putObject("workUnits");
        wu.put("total", j.workUnits());
        wu.put("done", done);
        wu.put("failed", failed);
        long waiting = u[UnitCounts.WAITING];
        long inProgress = Math.max(0, u[UnitState.IN_PROGRESS.ordinal()] - waiting);
        wu.put("inProgress", inProgress);
        wu.put("waiting", waiting);
        wu.put("queued", Math.max(0, j.workUnits() - done - failed - inProgress - waiting));
        n.set("redundancy", org.enjambre.coordinator.jobs.JobSpecs.of(j).redundancyJson().deepCopy());
        ObjectNode tasks = n.putObject("tasks");
        tasks.put("issued", t[JobCounters.ISSUED]);
        tasks.put("reported", t[JobCounters.REPORTED]);
        tasks.put("valid", t[JobCounters.VALID]);
        tasks.put("invalid", t[JobCounters.INVALID]);
        tasks.put("errors", t[JobCounters.ERRORS]);
        n.put("submittedAt", time(j.submittedAt()));
        n.put("startedAt", time(j.startedAt()));
        n.put("finishedAt", time(j.finishedAt()));
        long end = j.finishedAt() > 0 ? j.finishedAt() : now;
        double seconds = j.startedAt() > 0 ? Math.max(0.001, (end - j.startedAt()) / 1000.0) : 0;
        double rate = seconds > 0 ? t[JobCounters.REPORTED] / seconds : 0;
        n.put("tasksPerSecond", Math.round(rate * 100) / 100.0);
        double unitRate = seconds > 0 ? done / seconds : 0;
        if (!j.state().terminal() && unitRate > 0) {
            n.put("etaSeconds", Math.round((j.workUnits() - done - failed) / unitRate));
        } else {
            n.putNull("etaSeconds");
        }
        n.put("failure", j.failure());
        n.put("resultType", j.resultType());
        blockers(n.putArray("blockers"), j, u);
        return n;
    }

    /**
     * Why a running job's units are held back, each {@code {"kind","reason","units"}}; empty when nothing is (or the job
     * finished). Counted by each peer over the units it owns ({@code UnitCounts}) and summed.
     */
    static void blockers(ArrayNode out, JobRecord j, long[] u) {
        if (j.state().terminal()) {
            return;
        }
        long credibility = u[UnitCounts.WAITING_CREDIBILITY];
        blocker(out, "placement", u[UnitCounts.NO_ELIGIBLE_WORKER], "no eligible worker: every connected worker that runs " + j.app()
                + " already holds or held a replica of it, or shares its account or host (placement)", "has", "have");
        blocker(out, "credibility", credibility, "for credibility (spot-checks of their workers)", "waits", "wait");
        blocker(out, "judging", u[UnitCounts.WAITING] - credibility, "for their results to be judged, no replica in progress",
                "waits", "wait");
    }

    private static void blocker(ArrayNode out, String kind, long units, String what, String one, String many) {
        if (units > 0) {
            ObjectNode b = out.addObject();
            b.put("kind", kind);
            b.put("reason", units + (units == 1 ? " unit " + one + " " : " units " + many + " ") + what);
            b.put("units", units);
        }
    }

    public static ObjectNode unit(WorkUnit u) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("index", u.index());
        n.put("state", u.state().name());
        if (u.canonical() >= 0) {
            n.put("canonical", u.canonical());
        } else {
            n.putNull("canonical");
        }
        n.put("failure", u.failure());
        ArrayNode reps = n.putArray("replicas");
        for (Task t : u.tasks()) {
            ObjectNode r = reps.addObject();
            r.put("replica", t.replica());
            r.put("worker", t.workerId());
            r.put("state", t.state().name());
            r.put("outcome", t.outcome().name());
            r.put("validate", t.validate().name());
            r.put("sentAt", time(t.sentAt()));
            r.put("deadline", time(t.deadline()));
            r.put("reportedAt", time(t.reportedAt()));
            if (t.error() != null) {
                r.put("error", t.error());
            }
            if (org.enjambre.workunits.app.OutputFile.is(t.output())) { // kept as a file: its content hash (README)
                r.put("outputFile", org.enjambre.workunits.app.OutputFile.decode(t.output()).id());
            }
            if (u.policy().credibilityBased() && t.success()) {
                r.put("credibility", t.credibility());
            }
        }
        return n;
    }

    /**
     * Adds a browser's {@code visit} to its worker view {@code n}: its history (visits, typical length, measured speed,
     * null before any) and what the scheduler expects of it now ({@code outlook}; nothing added when null).
     */
    static ObjectNode visit(ObjectNode n, WorkerRecord w, org.enjambre.coordinator.model.VisitOutlook outlook) {
        if (outlook == null) {
            return n;
        }
        ObjectNode v = n.putObject("visit");
        org.enjambre.coordinator.model.VisitStats h = w.visit();
        v.put("visits", h.visits());
        if (h.visits() > 0) {
            v.put("typicalSeconds", round(h.typicalMillis() / 1000.0));
        } else {
            v.putNull("typicalSeconds");
        }
        if (h.speedSamples() > 0) {
            v.put("measuredSpeed", round(h.speed()));
        } else {
            v.putNull("measuredSpeed");
        }
        v.put("expectedSeconds", round(outlook.typicalMillis() / 1000.0));
        v.put("remainingSeconds", round(outlook.remainingMillis() / 1000.0));
        v.put("expectedSpeed", round(outlook.speed()));
        return n;
    }

    /** Three significant digits (speeds span many orders of magnitude). */
    private static double round(double x) {
        return x == 0 || !Double.isFinite(x) ? x
                : new java.math.BigDecimal(x).round(new java.math.MathContext(3)).doubleValue();
    }

    /** A worker as {@code GET /api/v1/workers} and the event stream show it: a browser with its {@code visit}. */
    static ObjectNode worker(org.enjambre.coordinator.workers.WorkerService workers, WorkerRecord w, long now) {
        return visit(worker(w, workers.online(w), now), w, workers.visits().describe(w));
    }

    public static ObjectNode worker(WorkerRecord w, boolean online, long now) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", w.id());
        n.put("name", w.name());
        n.put("platform", w.platform());
        n.put("cores", w.cores());
        n.put("memoryMb", w.memoryMb());
        ArrayNode apps = n.putArray("apps");
        w.apps().forEach(apps::add);
        n.put("account", w.account());
        n.put("online", online);
        n.put("registeredAt", time(w.registeredAt()));
        n.put("lastSeen", time(w.lastSeen()));
        double seconds = Math.max(1, (Math.max(w.lastSeen(), now) - w.registeredAt()) / 1000.0);
        n.put("tasksPerSecond", Math.round(w.reportedTasks() / seconds * 100) / 100.0);
        n.put("credit", Math.round(w.credit() * 1000) / 1000.0);
        n.put("reputation", Math.round(w.reputation() * 1000) / 1000.0);
        n.put("valid", w.valid());
        n.put("invalid", w.invalid());
        n.put("errors", w.errors());
        n.put("reported", w.reportedTasks());
        n.put("consecutiveValid", w.consecutiveValid());
        n.put("blacklisted", w.blacklisted());
        n.put("spotChecksPassed", w.spotChecksPassed());
        n.put("spotChecksFailed", w.spotChecksFailed());
        return n;
    }
}
