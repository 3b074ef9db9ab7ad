package org.enjambre.coordinator.http;

import org.enjambre.coordinator.metrics.PathTrace;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.enjambre.coordinator.errors.InvalidInputException;
import org.enjambre.coordinator.errors.NotFoundException;
import org.enjambre.coordinator.errors.UnauthenticatedException;
import org.enjambre.coordinator.sched.Scheduler;
import org.enjambre.coordinator.store.Json;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.coordinator.workers.WorkerService;
import org.enjambre.workunits.wasm.BuiltInModules;

import java.util.ArrayList;
import java.util.List;

/**
 * The worker protocol: register, fetch work (long-polling), report results, fetch blobs. Every route
 * checks its credentials and rate limit on the headers before it reads a body ({@link Access}, {@link Bodies}).
 */
final class WorkerRoutes {
    private final Vertx vertx;
    private final ApiServer.Services s;
    private final Access access;
    private final Bodies bodies;
    private final Work work;
    /**
     * Each worker's long-poll that waits here, if any: a report of its results wakes it, since a worker may get
     * nothing only because of what it holds (on probation, {@link org.enjambre.workunits.trust.TrustRules#inProgressLimit})
     * while units stay ready, and no new unit would signal it. Found with real processes: workers waited out their
     * 20 s polls with a quorum job's last 70 units ready (bench/scripts/saboteur-swarm.sh).
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Poll> waitingPolls = new java.util.concurrent.ConcurrentHashMap<>();

    WorkerRoutes(RouteKit kit) {
        this.vertx = kit.vertx();
        this.s = kit.services();
        this.access = kit.access();
        this.bodies = kit.bodies();
        this.work = kit.work();
    }

    void mount(Router router) {
        router.post("/api/v1/workers/register").handler(access.registration()).handler(bodies.read(Limits.REGISTER_BYTES))
                .handler(ctx -> work.json(ctx, 201, () -> register(Bodies.body(ctx))));
        router.post("/api/v1/work/fetch").handler(access.knownWorker()).handler(access.fetchRate())
                .handler(bodies.read(Limits.FETCH_BYTES)).handler(this::fetch);
        router.post("/api/v1/work/report").handler(access.knownWorker()).handler(bodies.read(Limits.REPORT_BYTES))
                .handler(ctx -> {
                    PathTrace.mark("report: request read");
                    work.json(ctx, 200, () -> {
                        PathTrace.mark("report: on a worker thread");
                        return report(current(Access.worker(ctx), "sent a report"), Bodies.body(ctx));
                    });
                });
        router.get("/api/v1/blobs/:sha").handler(this::blob);
        // The built-in apps' WebAssembly twins, for browsers (issue 18): served as blobs, named here.
        router.get("/api/v1/modules/builtin").handler(ctx -> Responses.json(ctx, 200, builtInModules()));
        // Releasing a worker's replicas at once (issue 15): deregistration, and sync after a restart.
        router.post("/api/v1/workers/deregister").handler(access.worker()).handler(ctx -> work.json(ctx, 200, () ->
                SyncRequest.released(s.scheduler().releaseEverywhere(s.workers().revoke(Access.worker(ctx).id()).id(),
                        java.util.Set.of(), "its worker deregistered"))));
        router.post("/api/v1/work/sync").handler(access.worker()).handler(bodies.read(Limits.SYNC_BYTES))
                .handler(ctx -> work.json(ctx, 200, () -> sync(Access.worker(ctx), Bodies.body(ctx))));
    }

    private ObjectNode sync(WorkerRecord w, Buffer body) {
        java.util.Set<String> holding = SyncRequest.holding(Requests.object(body));
        s.workers().visits().contact(w);
        s.workers().visits().synced(w, holding);
        return SyncRequest.released(s.scheduler().releaseEverywhere(w.id(), holding, "its worker does not hold it"));
    }

    private ObjectNode register(Buffer body) {
        JsonNode b = Requests.object(body);
        JsonNode a = b.get("apps");
        if (a == null || !a.isArray()) {
            throw InvalidInputException.of("apps must be an array of app names", "apps");
        }
        List<String> apps = new ArrayList<>();
        a.forEach(x -> apps.add(x.isTextual() ? x.textValue() : null));
        WorkerService.Credentials cred = s.workers().register(new WorkerService.Registration(
                Requests.text(b, "name", true), Requests.text(b, "platform", false),
                Requests.intField(b, "cores", 1, 1, WorkerService.MAX_CORES),
                Requests.longField(b, "memoryMb", 0, 0, WorkerService.MAX_MEMORY_MB),
                apps, Requests.text(b, "account", false), Requests.text(b, "host", false)));
        return Json.MAPPER.createObjectNode().put("workerId", cred.workerId()).put("token", cred.token());
    }

    private void fetch(RoutingContext ctx) {
        int max;
        long waitMs;
        List<String> cached;
        try {
            JsonNode b = Requests.object(Bodies.body(ctx));
            max = Requests.intField(b, "max", 1, 1, Limits.MAX_FETCH);
            waitMs = Requests.longField(b, "waitMs", 0, 0, Limits.MAX_WAIT_MS);
            cached = CachedFiles.of(b);
        } catch (RuntimeException e) {
            HttpErrors.fail(ctx, e);
            return;
        }
        Poll poll = new Poll(ctx, Access.worker(ctx), max, cached, s.clock().millis() + waitMs, vertx.getOrCreateContext());
        ctx.addEndHandler(v -> poll.over());
        poll.attempt(0, true);
    }

    /**
     * One long-polling fetch: fetch; when nothing is ready, wait for a signal ({@link LongPolls}) or the
     * deadline, then fetch again or answer empty. Confined to its event loop: wakes are handed to it.
     */
    private final class Poll {
        private final RoutingContext ctx;
        private final WorkerRecord worker;
        private final int max;
        /** File ids the worker caches whole, newest first (locality scheduling). */
        private final List<String> cached;
        private final long deadline;
        private final Context context;
        /** True while registered with {@link LongPolls} and a timer. */
        private boolean waiting;
        private long timer = -1;
        private LongPolls.Waiter waiter;

        Poll(RoutingContext ctx, WorkerRecord worker, int max, List<String> cached, long deadline, Context context) {
            this.ctx = ctx;
            this.worker = worker;
            this.max = max;
            this.cached = cached;
            this.deadline = deadline;
            this.context = context;
        }

        /** Fetches (encoding the answer on the worker thread); {@code wokenBy} is the signal that woke it, or 0. */
        void attempt(long wokenBy, boolean first) {
            if (Responses.over(ctx)) {
                s.polls().passOn(wokenBy);
                return;
            }
            long since = s.polls().signals();
            work.blocking(ctx, () -> {
                if (first) {
                    s.workers().seen(worker);
                }
                // The record the guard passed may be stale (Access.knownWorker), or become so while the poll waits.
                WorkerRecord now = current(worker, first ? "fetched work" : "waited for work");
                org.enjambre.coordinator.model.VisitOutlook visit = s.workers().visits().contact(now);
                List<Scheduler.Assignment> tasks = s.scheduler().fetch(now, max, visit, cached);
                if (!tasks.isEmpty()) {
                    PathTrace.mark("fetch: issued");
                }
                access.fetched(now, tasks.size());
                if (visit != null) { // a browser: its tasks' issue times measure its speed
                    s.workers().visits().issued(now, visit, TaskAnswers.costs(tasks));
                }
                return tasks.isEmpty() ? null : TaskAnswers.encode(tasks, s.data().outputs());
            }).onSuccess(answer -> {
                if (answer != null) {
                    PathTrace.mark("fetch: answer on the event loop");
                    Responses.json(ctx, 200, answer);
                    return;
                }
                s.polls().passOn(wokenBy);
                long left = deadline - s.clock().millis();
                if (left <= 0 || Responses.over(ctx)) {
                    Responses.json(ctx, 200, TaskAnswers.EMPTY.copy());
                    return;
                }
                waiting = true;
                waitingPolls.put(worker.id(), this);
                timer = vertx.setTimer(left, t -> {
                    if (waiting) {
                        over();
                        Responses.json(ctx, 200, TaskAnswers.EMPTY.copy());
                    }
                });
                waiter = s.polls().await(since, signal -> context.runOnContext(v -> woken(signal)));
            });
        }

        private void woken(long signal) {
            PathTrace.mark("fetch: long-poll woken");
            if (!waiting) {
                s.polls().passOn(signal);
                return;
            }
            waiting = false;
            waitingPolls.remove(worker.id(), this);
            waiter = null;
            vertx.cancelTimer(timer);
            attempt(signal, false);
        }

        /** Its worker reported results: fetches again now if it waits (on its own context). */
        void nudge() {
            context.runOnContext(v -> {
                if (waiting) {
                    over();
                    attempt(0, false);
                }
            });
        }

        /** Stops waiting: answered, timed out, or the connection went away. */
        void over() {
            if (waiting) {
                waiting = false;
                waitingPolls.remove(worker.id(), this);
                vertx.cancelTimer(timer);
                if (waiter != null) {
                    waiter.cancel();
                    waiter = null;
                }
            }
        }
    }

    /** The worker's record now (off the event loop); 401 {@code REVOKED} once its token was revoked. */
    private WorkerRecord current(WorkerRecord w, String doing) {
        WorkerRecord now = s.workers().current(w);
        if (now == null) {
            throw new UnauthenticatedException("REVOKED", "the token of worker " + w.id() + " was revoked (by an administrator,"
                    + " or the worker deregistered) before it " + doing + "; register again for a new one");
        }
        return now;
    }

    private ObjectNode report(WorkerRecord w, Buffer body) {
        s.workers().seen(w);
        JsonNode b = Requests.object(body);
        JsonNode results = b.get("results");
        if (results == null || !results.isArray()) {
            throw InvalidInputException.of("results must be an array", "results");
        }
        if (results.size() > Limits.MAX_REPORT) {
            throw InvalidInputException.of("a report holds at most " + Limits.MAX_REPORT + " results", "results");
        }
        List<ReportedResult> parsed = new ArrayList<>();
        int i = 0;
        for (JsonNode r : results) {
            parsed.add(ReportedResult.parse(r, "results[" + i++ + "]"));
        }
        List<Scheduler.Report> reports = new ArrayList<>();
        List<Scheduler.Refusal> refused = new ArrayList<>();
        for (ReportedResult r : parsed) {
            r.resolve(s.data().outputs(), reports, refused);
        }
        Scheduler.ReportOutcome o = s.scheduler().report(w, reports);
        Poll waitingPoll = o.accepted().isEmpty() ? null : waitingPolls.get(w.id());
        if (waitingPoll != null) {
            waitingPoll.nudge();
        }
        if (org.enjambre.coordinator.workers.Visits.tracked(w)) {
            s.workers().visits().contact(w);
            s.workers().visits().reported(w, TaskAnswers.computed(reports, o.accepted()));
        }
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode acc = n.putArray("accepted");
        o.accepted().forEach(acc::add);
        ArrayNode rej = n.putArray("rejected");
        List<Scheduler.Refusal> all = new ArrayList<>(refused);
        all.addAll(o.rejected());
        for (Scheduler.Refusal r : all) {
            rej.addObject().put("id", r.id()).put("code", r.code()).put("message", r.message());
        }
        return n;
    }

    /** {@code {"modules":[{"app","sha256"}]}}: the built-in apps a browser can run, each by its module's hash. */
    private static ObjectNode builtInModules() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode modules = n.putArray("modules");
        BuiltInModules.all().values().forEach(m -> modules.addObject().put("app", m.app()).put("sha256", m.sha256()));
        return n;
    }

    private void blob(RoutingContext ctx) {
        String sha = ctx.pathParam("sha");
        if (!sha.matches("[0-9a-f]{64}")) {
            HttpErrors.fail(ctx, InvalidInputException.of("'" + sha + "' is not a lower-case hex SHA-256", "sha256"));
            return;
        }
        work.blocking(ctx, () -> BuiltInModules.bySha256(sha).map(BuiltInModules.Module::bytes)
                        .or(() -> s.store().blob(sha)).orElseThrow(() -> new NotFoundException("no blob " + sha)))
                .onSuccess(bytes -> {
                    ctx.response().putHeader("Cache-Control", "public, max-age=31536000, immutable");
                    Downloads.send(ctx.response(), sha, Downloads.OCTET_STREAM, bytes);
                });
    }
}
