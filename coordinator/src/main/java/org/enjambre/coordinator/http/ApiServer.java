package org.enjambre.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.jobs.JobRecord;
import org.enjambre.coordinator.sched.Scheduler;
import org.enjambre.coordinator.store.Json;
import org.enjambre.workunits.trust.RateLimiter;
import org.enjambre.coordinator.workers.WorkerRecord;
import org.enjambre.coordinator.workers.WorkerService;
import org.enjambre.dashboard.Dashboard;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.model.WorkUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The HTTP face of a peer: REST API v1, the worker protocol, the event stream, the dashboard,
 * {@code /health} and {@code /metrics}. Handlers never block an event loop: work that touches the
 * cluster or the store runs on Vert.x worker threads.
 */
public final class ApiServer {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    /** Largest request body accepted; larger ones get 413. */
    public static final long MAX_BODY_BYTES = 64L * 1024 * 1024;
    public static final int MAX_FETCH = 256;
    public static final int MAX_WAIT_MS = 30_000;
    public static final int MAX_REPORT = 1024;
    /** Largest WebAssembly module accepted by {@code POST /api/v1/modules}. */
    public static final int MAX_MODULE_BYTES = 16 << 20;

    private final Vertx vertx;
    private final Coordinator c;
    private final String apiKey;
    private final boolean privateViews;
    private static final int ACCEPT_BACKLOG = 65_535;
    private final RateLimiter fetchLimiter;
    private final ConcurrentLinkedQueue<Runnable> waiters = new ConcurrentLinkedQueue<>();
    private HttpServer server;

    public ApiServer(Vertx vertx, Coordinator coordinator, String apiKey, boolean privateViews, RateLimiter fetchLimiter) {
        this.vertx = vertx;
        this.c = coordinator;
        this.apiKey = apiKey;
        this.privateViews = privateViews;
        this.fetchLimiter = fetchLimiter;
    }

    public Future<HttpServer> listen(String host, int port) {
        Router router = Router.router(vertx);
        router.route().handler(ctx -> {
            long start = System.nanoTime();
            ctx.addEndHandler(v -> {
                String route = ctx.currentRoute() == null || ctx.currentRoute().getPath() == null ? "other" : ctx.currentRoute().getPath();
                c.metrics().http(route, ctx.request().method().name(), ctx.response().getStatusCode(), System.nanoTime() - start);
            });
            ctx.next();
        });
        router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));

        router.get("/health").handler(ctx -> json(ctx, 200, Json.MAPPER.createObjectNode().put("status", "UP")
                .put("peers", c.node().hazelcast().getCluster().getMembers().size())));
        router.get("/metrics").handler(ctx -> blocking(ctx, () -> c.metrics().scrape()).onSuccess(text ->
                ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(text)));
        router.get("/api/v1/openapi.yaml").handler(ctx -> {
            try (InputStream in = ApiServer.class.getResourceAsStream("/openapi.yaml")) {
                ctx.response().putHeader("Content-Type", "application/yaml").end(Buffer.buffer(in.readAllBytes()));
            } catch (IOException | NullPointerException e) {
                fail(ctx, new ApiException(500, "INTERNAL", "the OpenAPI document is missing from this build"));
            }
        });

        // Submitters and admins.
        router.post("/api/v1/jobs").handler(ctx -> admin(ctx, () -> {
            JsonNode body = body(ctx);
            JobRecord j = c.jobs().submit(body);
            return Json.MAPPER.createObjectNode().put("id", j.id()).put("state", j.state().name());
        }, 201));
        router.get("/api/v1/jobs").handler(ctx -> view(ctx, () -> {
            ObjectNode n = Json.MAPPER.createObjectNode();
            ArrayNode arr = n.putArray("jobs");
            long now = c.clock().millis();
            for (JobRecord j : c.jobs().list()) {
                arr.add(Views.job(j, c.jobs(), now));
            }
            return n;
        }));
        router.get("/api/v1/jobs/:id").handler(ctx -> view(ctx, () ->
                Views.job(c.jobs().get(ctx.pathParam("id")), c.jobs(), c.clock().millis())));
        router.get("/api/v1/jobs/:id/units").handler(ctx -> view(ctx, () -> {
            JobRecord j = c.jobs().get(ctx.pathParam("id"));
            int from = intParam(ctx, "from", 0, 0, Integer.MAX_VALUE);
            int limit = intParam(ctx, "limit", 100, 1, 1000);
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("total", j.workUnits());
            ArrayNode arr = n.putArray("units");
            for (WorkUnit u : c.jobs().units(j, from, limit)) {
                arr.add(Views.unit(u));
            }
            return n;
        }));
        router.get("/api/v1/jobs/:id/result").handler(ctx -> {
            if (!readAllowed(ctx)) {
                return;
            }
            blocking(ctx, () -> c.jobs().result(ctx.pathParam("id"))).onSuccess(r -> sendResult(ctx, r));
        });
        router.get("/api/v1/jobs/:id/preview.png").handler(ctx -> {
            if (!readAllowed(ctx)) {
                return;
            }
            blocking(ctx, () -> c.jobs().preview(ctx.pathParam("id"))).onSuccess(png -> {
                if (png.isEmpty()) {
                    ctx.response().setStatusCode(204).end();
                } else {
                    ctx.response().putHeader("Content-Type", "image/png").putHeader("Cache-Control", "no-store")
                            .end(Buffer.buffer(png.get()));
                }
            });
        });
        router.delete("/api/v1/jobs/:id").handler(ctx -> admin(ctx, () ->
                Views.job(c.jobs().cancel(ctx.pathParam("id")), c.jobs(), c.clock().millis()), 200));
        router.get("/api/v1/workers").handler(ctx -> view(ctx, () -> {
            ObjectNode n = Json.MAPPER.createObjectNode();
            ArrayNode arr = n.putArray("workers");
            long now = c.clock().millis();
            for (WorkerRecord w : c.workers().all()) {
                arr.add(Views.worker(w, c.workers().online(w), now));
            }
            return n;
        }));
        router.get("/api/v1/cluster").handler(ctx -> view(ctx, c::clusterView));
        router.get("/api/v1/events").handler(ctx -> {
            if (!readAllowed(ctx)) {
                return;
            }
            blocking(ctx, c::snapshotEvents).onSuccess(initial ->
                    c.events().subscribe(ctx.response(), vertx.getOrCreateContext(), initial));
        });

        // Worker protocol.
        router.post("/api/v1/workers/register").handler(ctx -> run(ctx, () -> {
            JsonNode b = body(ctx);
            List<String> apps = new ArrayList<>();
            JsonNode a = b.get("apps");
            if (a == null || !a.isArray()) {
                throw ApiException.badRequest("apps must be an array of app names", "apps");
            }
            a.forEach(x -> apps.add(x.isTextual() ? x.textValue() : null));
            WorkerService.Credentials cred = c.workers().register(new WorkerService.Registration(
                    text(b, "name", true), text(b, "platform", false), (int) longField(b, "cores", 1), longField(b, "memoryMb", 0),
                    apps, text(b, "account", false), text(b, "host", false)), ctx.request().remoteAddress().host());
            return Json.MAPPER.createObjectNode().put("workerId", cred.workerId()).put("token", cred.token());
        }, 201));
        router.post("/api/v1/work/fetch").handler(this::fetch);
        router.post("/api/v1/work/report").handler(ctx -> run(ctx, () -> {
            WorkerRecord w = c.workers().authenticate(bearer(ctx));
            c.workers().seen(w);
            JsonNode b = body(ctx);
            JsonNode results = b.get("results");
            if (results == null || !results.isArray()) {
                throw ApiException.badRequest("results must be an array", "results");
            }
            if (results.size() > MAX_REPORT) {
                throw ApiException.badRequest("a report holds at most " + MAX_REPORT + " results", "results");
            }
            List<Scheduler.Report> reports = new ArrayList<>();
            int i = 0;
            for (JsonNode r : results) {
                String field = "results[" + i++ + "]";
                if (!r.isObject() || !r.path("id").isTextual()) {
                    throw ApiException.badRequest(field + ".id must be a task id string", field + ".id");
                }
                JsonNode out = r.get("output");
                JsonNode err = r.get("error");
                if ((out == null) == (err == null)) {
                    throw ApiException.badRequest(field + " must have exactly one of output and error", field);
                }
                byte[] bytes = null;
                if (out != null) {
                    if (!out.isTextual()) {
                        throw ApiException.badRequest(field + ".output must be a base64 string", field + ".output");
                    }
                    try {
                        bytes = Base64.getDecoder().decode(out.textValue());
                    } catch (IllegalArgumentException e) {
                        throw ApiException.badRequest(field + ".output is not valid base64", field + ".output");
                    }
                } else if (!err.isTextual()) {
                    throw ApiException.badRequest(field + ".error must be a string", field + ".error");
                }
                String message = err == null ? null : err.textValue();
                if (message != null && message.length() > 4000) {
                    message = message.substring(0, 4000);
                }
                reports.add(new Scheduler.Report(r.get("id").textValue(), bytes, message));
            }
            Scheduler.ReportOutcome o = c.scheduler().report(w, reports);
            ObjectNode n = Json.MAPPER.createObjectNode();
            ArrayNode acc = n.putArray("accepted");
            o.accepted().forEach(acc::add);
            ArrayNode rej = n.putArray("rejected");
            for (Scheduler.Refusal r : o.rejected()) {
                rej.addObject().put("id", r.id()).put("code", r.code()).put("message", r.message());
            }
            return n;
        }, 200));
        // Releasing a worker's replicas at once (issue 15): revocation, deregistration, sync after a restart.
        router.delete("/api/v1/workers/:id").handler(ctx -> admin(ctx, () -> SyncRequest.released(c.scheduler().releaseEverywhere(
                c.workers().revoke(ctx.pathParam("id")).id(), Set.of(), "its worker's token was revoked")), 200));
        router.post("/api/v1/workers/deregister").handler(ctx -> run(ctx, () -> SyncRequest.released(c.scheduler().releaseEverywhere(
                c.workers().revoke(c.workers().authenticate(bearer(ctx)).id()).id(), Set.of(), "its worker deregistered")), 200));
        router.post("/api/v1/work/sync").handler(ctx -> run(ctx, () -> {
            WorkerRecord w = c.workers().authenticate(bearer(ctx));
            return SyncRequest.released(c.scheduler().releaseEverywhere(w.id(), SyncRequest.holding(body(ctx)), "its worker does not hold it"));
        }, 200));
        router.post("/api/v1/modules").handler(ctx -> admin(ctx, () -> {
            Buffer b = ctx.body() == null ? null : ctx.body().buffer();
            byte[] bytes = b == null ? new byte[0] : b.getBytes();
            if (bytes.length > MAX_MODULE_BYTES) {
                throw new ApiException(413, "MODULE_TOO_LARGE", "the module is " + bytes.length
                        + " bytes, more than the limit of " + MAX_MODULE_BYTES + " bytes");
            }
            try {
                org.enjambre.workunits.wasm.WasmModules.validate(bytes, MAX_MODULE_BYTES);
            } catch (org.enjambre.workunits.wasm.WasmException e) {
                throw new ApiException(400, "INVALID_MODULE", e.getMessage(), "module");
            }
            String sha = org.enjambre.workunits.wasm.WasmModules.sha256(bytes);
            c.store().putBlob(sha, bytes);
            return Json.MAPPER.createObjectNode().put("sha256", sha).put("bytes", bytes.length);
        }, 201));
        router.get("/api/v1/blobs/:sha").handler(ctx -> {
            String sha = ctx.pathParam("sha");
            if (!sha.matches("[0-9a-f]{64}")) {
                fail(ctx, ApiException.badRequest("'" + sha + "' is not a lower-case hex SHA-256", "sha256"));
                return;
            }
            blocking(ctx, () -> c.store().blob(sha).orElseThrow(() -> ApiException.notFound("no blob " + sha)))
                    .onSuccess(bytes -> ctx.response().putHeader("Content-Type", "application/octet-stream")
                            .putHeader("Cache-Control", "public, max-age=31536000, immutable").end(Buffer.buffer(bytes)));
        });
        router.route("/api/*").handler(ctx -> fail(ctx, new ApiException(404, "NOT_FOUND",
                "no endpoint " + ctx.request().method() + " " + ctx.request().path())));

        router.route("/*").handler(ctx -> {
            ctx.response().putHeader("Content-Security-Policy", Dashboard.CONTENT_SECURITY_POLICY);
            ctx.next();
        });
        router.route("/*").handler(StaticHandler.create(Dashboard.RESOURCE_ROOT).setCachingEnabled(false)
                .setIndexPage(Dashboard.INDEX));

        router.errorHandler(413, ctx -> fail(ctx, new ApiException(413, "BODY_TOO_LARGE",
                "the request body is larger than " + MAX_BODY_BYTES + " bytes")));
        router.errorHandler(500, ctx -> {
            Throwable t = ctx.failure();
            if (t instanceof ApiException e) {
                fail(ctx, e);
            } else {
                LOG.error("request {} {} failed", ctx.request().method(), ctx.request().path(), t);
                fail(ctx, new ApiException(500, "INTERNAL", "internal error: " + (t == null ? "unknown" : t.getClass().getSimpleName())));
            }
        });

        // A large accept backlog: thousands of workers may connect in the same instant (after an outage, say);
        // the kernel caps it at net.core.somaxconn (README, Scaling out).
        server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setCompressionSupported(true)
                .setAcceptBacklog(ACCEPT_BACKLOG));
        return server.requestHandler(router).listen();
    }

    public int port() {
        return server.actualPort();
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    /** Wakes long-polling workers: ready work appeared. */
    public void wake() {
        Runnable r;
        int n = 0;
        while (n++ < 10_000 && (r = waiters.poll()) != null) {
            r.run();
        }
    }

    private void fetch(RoutingContext ctx) {
        WorkerRecord w;
        int max;
        long waitMs;
        try {
            w = c.workers().authenticate(bearer(ctx));
            JsonNode b = body(ctx);
            max = (int) longField(b, "max", 1);
            waitMs = longField(b, "waitMs", 0);
            if (max < 1 || max > MAX_FETCH) {
                throw ApiException.badRequest("max (" + max + ") must be between 1 and " + MAX_FETCH, "max");
            }
            if (waitMs < 0 || waitMs > MAX_WAIT_MS) {
                throw ApiException.badRequest("waitMs (" + waitMs + ") must be between 0 and " + MAX_WAIT_MS, "waitMs");
            }
            RateLimiter.Permit permit = fetchLimiter.tryAcquire(w.id());
            if (!permit.granted()) {
                long retry = Math.max(1, (permit.retryAfterMillis() + 999) / 1000);
                ctx.response().putHeader("Retry-After", Long.toString(retry));
                throw new ApiException(429, "TOO_MANY_REQUESTS", "worker " + w.id() + " fetches too often; retry after " + retry + " s");
            }
        } catch (ApiException e) {
            fail(ctx, e);
            return;
        }
        c.workers().seen(w);
        long deadline = System.nanoTime() + waitMs * 1_000_000L;
        attemptFetch(ctx, w, max, deadline);
    }

    private void attemptFetch(RoutingContext ctx, WorkerRecord w, int max, long deadlineNanos) {
        if (ctx.response().closed() || ctx.response().ended()) {
            return;
        }
        blocking(ctx, () -> c.scheduler().fetch(w, max)).onSuccess(tasks -> {
            long left = deadlineNanos - System.nanoTime();
            if (!tasks.isEmpty() || left <= 0) {
                json(ctx, 200, tasksJson(tasks));
                return;
            }
            // Long-poll: wait for ready work or the deadline, whichever comes first.
            boolean[] done = {false};
            long timer = vertx.setTimer(Math.max(1, left / 1_000_000L), t -> {
                if (!done[0]) {
                    done[0] = true;
                    json(ctx, 200, tasksJson(List.of()));
                }
            });
            Runnable waiter = () -> ctx.vertx().runOnContext(v -> {
                if (!done[0]) {
                    done[0] = true;
                    vertx.cancelTimer(timer);
                    attemptFetch(ctx, w, max, deadlineNanos);
                }
            });
            waiters.add(waiter);
            if (c.readyHere()) {
                wake();
            }
        });
    }

    private static ObjectNode tasksJson(List<Scheduler.Assignment> tasks) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode arr = n.putArray("tasks");
        Base64.Encoder b64 = Base64.getEncoder();
        for (Scheduler.Assignment a : tasks) {
            arr.addObject().put("id", a.id()).put("app", a.app()).put("input", b64.encodeToString(a.input()))
                    .put("deadline", Views.time(a.deadline())).put("deadlineMillis", a.deadline()).put("cost", a.cost())
                    .put("blob", a.blob());
        }
        return n;
    }

    private void sendResult(RoutingContext ctx, MergedResult r) {
        ctx.response().putHeader("Content-Type", r.contentType()).end(Buffer.buffer(r.body()));
    }

    // ---- plumbing

    private <T> Future<T> blocking(RoutingContext ctx, Callable<T> work) {
        return vertx.executeBlocking(work, false).onFailure(t -> {
            if (t instanceof ApiException e) {
                fail(ctx, e);
            } else {
                LOG.error("request {} {} failed", ctx.request().method(), ctx.request().path(), t);
                fail(ctx, new ApiException(503, "UNAVAILABLE",
                        "the coordinator could not serve this request now (its storage or cluster is unavailable); retry shortly"));
            }
        });
    }

    private void run(RoutingContext ctx, Callable<Object> work, int status) {
        blocking(ctx, work).onSuccess(body -> json(ctx, status, body));
    }

    private void admin(RoutingContext ctx, Callable<Object> work, int status) {
        if (authorize(ctx)) {
            run(ctx, work, status);
        }
    }

    private void view(RoutingContext ctx, Callable<Object> work) {
        if (readAllowed(ctx)) {
            run(ctx, work, 200);
        }
    }

    private boolean readAllowed(RoutingContext ctx) {
        return !privateViews || authorize(ctx);
    }

    private boolean authorize(RoutingContext ctx) {
        String key = bearer(ctx);
        if (key == null) {
            fail(ctx, new ApiException(401, "UNAUTHENTICATED", "an API key is required (Authorization: Bearer <key>)"));
            return false;
        }
        if (!MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8), apiKey.getBytes(StandardCharsets.UTF_8))) {
            fail(ctx, new ApiException(403, "FORBIDDEN", "the API key is wrong"));
            return false;
        }
        return true;
    }

    private static String bearer(RoutingContext ctx) {
        String h = ctx.request().getHeader("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String v = h.substring(7).trim();
        return v.isEmpty() ? null : v;
    }

    private static JsonNode body(RoutingContext ctx) {
        Buffer b = ctx.body() == null ? null : ctx.body().buffer();
        if (b == null || b.length() == 0) {
            throw new ApiException(400, "MALFORMED_JSON", "the request body must be a JSON object", "$");
        }
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(b.getBytes());
        } catch (IOException e) {
            throw new ApiException(400, "MALFORMED_JSON", "the request body is not valid JSON: "
                    + e.getMessage().lines().findFirst().orElse(""), "$");
        }
        if (n == null || !n.isObject()) {
            throw new ApiException(400, "MALFORMED_JSON", "the request body must be a JSON object", "$");
        }
        return n;
    }

    private static String text(JsonNode b, String field, boolean required) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw ApiException.badRequest(field + " is required", field);
            }
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest(field + " must be a string", field);
        }
        return v.textValue();
    }

    private static long longField(JsonNode b, String field, long fallback) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiException.badRequest(field + " must be an integer", field);
        }
        return v.longValue();
    }

    private static int intParam(RoutingContext ctx, String name, int fallback, int min, int max) {
        String v = ctx.queryParams().get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int i = Integer.parseInt(v);
            if (i < min || i > max) {
                throw ApiException.badRequest(name + " (" + i + ") must be between " + min + " and " + max, name);
            }
            return i;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + " must be an integer", name);
        }
    }

    static void json(RoutingContext ctx, int status, Object body) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(body instanceof String s ? s : Json.write(body));
    }

    static void fail(RoutingContext ctx, ApiException e) {
        ObjectNode err = Json.MAPPER.createObjectNode();
        ObjectNode inner = err.putObject("error");
        inner.put("code", e.code());
        inner.put("message", e.getMessage());
        if (e.field() != null) {
            inner.put("field", e.field());
        }
        json(ctx, e.status(), err);
    }
}
