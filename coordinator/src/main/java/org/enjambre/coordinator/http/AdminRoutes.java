package org.enjambre.coordinator.http;

import org.enjambre.coordinator.metrics.PathTrace;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.enjambre.coordinator.errors.InvalidInputException;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.store.Json;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.wasm.WasmException;
import org.enjambre.workunits.wasm.WasmModules;

/**
 * The submitters' and admins' API: jobs (submit, views, units, result, preview, cancel), WebAssembly
 * modules, the workers and cluster views, and the dashboard's event stream. Changes need the API key;
 * views are open unless the dashboard is private.
 */
final class AdminRoutes {
    private final Vertx vertx;
    private final ApiServer.Services s;
    private final Access access;
    private final Bodies bodies;
    private final Work work;

    AdminRoutes(RouteKit kit) {
        this.vertx = kit.vertx();
        this.s = kit.services();
        this.access = kit.access();
        this.bodies = kit.bodies();
        this.work = kit.work();
    }

    void mount(Router router) {
        router.post("/api/v1/jobs").handler(access.admin()).handler(bodies.read(Limits.JOB_BYTES))
                .handler(ctx -> {
                    PathTrace.mark("submit: request read");
                    work.json(ctx, 201, () -> {
                        PathTrace.mark("submit: on a worker thread");
                        JobRecord j = s.jobs().submit(Requests.object(Bodies.body(ctx)));
                        return Json.MAPPER.createObjectNode().put("id", j.id()).put("state", j.state().name());
                    });
                });
        router.get("/api/v1/jobs").handler(access.view()).handler(ctx -> work.json(ctx, 200, () -> {
            ObjectNode n = Json.MAPPER.createObjectNode();
            ArrayNode arr = n.putArray("jobs");
            long now = s.clock().millis();
            java.util.List<JobRecord> list = s.jobs().list();
            org.enjambre.coordinator.jobs.CountsOf counts = s.jobs().countsOf(list);
            for (JobRecord j : list) {
                arr.add(Views.job(j, counts, now));
            }
            return n;
        }));
        router.get("/api/v1/jobs/:id").handler(access.view()).handler(ctx -> work.json(ctx, 200, () ->
                jobView(s.jobs().get(ctx.pathParam("id")))));
        router.get("/api/v1/jobs/:id/units").handler(access.view()).handler(ctx -> work.json(ctx, 200, () -> {
            int from = Requests.intParam(ctx, "from", 0, 0, Integer.MAX_VALUE);
            int limit = Requests.intParam(ctx, "limit", 100, 1, 1000);
            JobRecord j = s.jobs().get(ctx.pathParam("id"));
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("total", j.workUnits());
            ArrayNode arr = n.putArray("units");
            for (WorkUnit u : s.jobs().units(j, from, limit)) {
                arr.add(Views.unit(u));
            }
            return n;
        }));
        router.get("/api/v1/jobs/:id/result").handler(access.view()).handler(this::result);
        // Segment hashes a client checks the streamed result against, chunk by chunk (README, "Outputs as files").
        router.get("/api/v1/jobs/:id/result/manifest").handler(access.view()).handler(ctx -> work.json(ctx, 200,
                () -> ResultStream.manifest(s.jobs().result(ctx.pathParam("id")), s.data().outputs())));
        router.get("/api/v1/jobs/:id/preview.png").handler(access.view()).handler(this::preview);
        router.delete("/api/v1/jobs/:id").handler(access.admin()).handler(ctx -> work.json(ctx, 200, () ->
                jobView(s.jobs().cancel(ctx.pathParam("id")))));
        router.post("/api/v1/modules").handler(access.admin()).handler(bodies.read(Limits.MODULE_BYTES, "MODULE_TOO_LARGE"))
                .handler(ctx -> work.json(ctx, 201, () -> module(Bodies.body(ctx).getBytes())));
        router.get("/api/v1/workers").handler(access.view()).handler(ctx -> work.json(ctx, 200, () -> {
            ObjectNode n = Json.MAPPER.createObjectNode();
            ArrayNode arr = n.putArray("workers");
            long now = s.clock().millis();
            for (WorkerRecord w : s.workers().all()) {
                arr.add(Views.worker(s.workers(), w, now));
            }
            return n;
        }));
        router.delete("/api/v1/workers/:id").handler(access.admin()).handler(ctx -> work.json(ctx, 200, () ->
                SyncRequest.released(s.scheduler().releaseEverywhere(s.workers().revoke(ctx.pathParam("id")).id(),
                        java.util.Set.of(), "its worker's token was revoked"))));
        router.get("/api/v1/cluster").handler(access.view()).handler(ctx -> work.json(ctx, 200, () -> s.peers().clusterView()));
        router.get("/api/v1/events").handler(access.view()).handler(ctx ->
                work.blocking(ctx, () -> s.peers().snapshotEvents()).onSuccess(initial ->
                        s.events().subscribe(ctx.response(), vertx.getOrCreateContext(), initial)));
    }

    private void result(RoutingContext ctx) {
        PathTrace.mark("result: handler");
        String id = ctx.pathParam("id");
        org.enjambre.workunits.app.MergedResult kept = s.jobs().recentResult(id);
        if (kept != null) { // small, completed here lately: answered on the event loop (never parts: no ranges)
            Downloads.send(ctx.response(), id, kept.contentType(), kept.body());
            return;
        }
        String rangeHeader = ctx.request().getHeader("Range");
        work.blocking(ctx, () -> {
            PathTrace.mark("result: on a worker thread");
            org.enjambre.workunits.app.MergedResult r = s.jobs().result(id);
            PathTrace.mark("result: read");
            if (!org.enjambre.coordinator.jobs.ResultParts.is(r.body())) {
                return new Served(r, null, null, 0);
            }
            // Output files joined in unit order, streamed (README, "Outputs as files"); ranges are cheap here.
            org.enjambre.coordinator.jobs.ResultParts parts = org.enjambre.coordinator.jobs.ResultParts.decode(r.body());
            ByteRange range;
            try {
                range = ByteRange.parse(rangeHeader, parts.size());
            } catch (ApiException e) {
                ctx.response().putHeader("Content-Range", "bytes */" + parts.size());
                throw e;
            }
            return new Served(r, range, ResultStream.open(parts, s.data().outputs(), range.offset(), range.length()), parts.size());
        }).onSuccess(served -> {
            if (served.in() == null) {
                Downloads.send(ctx.response(), id, served.result().contentType(), served.result().body());
                return;
            }
            io.vertx.core.http.HttpServerResponse resp = ctx.response();
            if (served.range().partial()) {
                resp.setStatusCode(206).putHeader("Content-Range", served.range().contentRange(served.size()));
            }
            resp.putHeader("Accept-Ranges", "bytes").putHeader("Content-Length", Long.toString(served.range().length()));
            Downloads.describe(resp, id, served.result().contentType());
            StreamOut.send(vertx, resp, served.in());
        });
    }

    /** A result to serve: its bytes ({@code in} null), or a range of its parts as a stream. */
    private record Served(org.enjambre.workunits.app.MergedResult result, ByteRange range, java.io.InputStream in, long size) {
    }

    private void preview(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        work.blocking(ctx, () -> s.jobs().preview(id)).onSuccess(png -> {
            if (png.isEmpty()) {
                Downloads.headers(ctx.response());
                ctx.response().setStatusCode(204).end();
            } else {
                ctx.response().putHeader("Cache-Control", "no-store");
                Downloads.send(ctx.response(), id + "-preview", "image/png", png.get());
            }
        });
    }

    private ObjectNode module(byte[] bytes) {
        try {
            WasmModules.validate(bytes, Limits.MODULE_BYTES);
        } catch (WasmException e) {
            throw new InvalidInputException("INVALID_MODULE", e.getMessage(), "module");
        }
        String sha = WasmModules.sha256(bytes);
        s.store().putBlob(sha, bytes);
        return Json.MAPPER.createObjectNode().put("sha256", sha).put("bytes", bytes.length);
    }

    /** One job's view: its counts from one {@code CountJobs} question per peer (not two). */
    private ObjectNode jobView(JobRecord j) {
        return Views.job(j, s.jobs().countsOf(java.util.List.of(j)), s.clock().millis());
    }
}
