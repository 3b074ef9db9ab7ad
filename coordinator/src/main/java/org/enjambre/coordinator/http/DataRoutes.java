package org.enjambre.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.enjambre.coordinator.data.ChunkTooLargeException;
import org.enjambre.coordinator.data.DataService;
import org.enjambre.coordinator.data.Hashes;
import org.enjambre.coordinator.data.PeerTransfer;
import org.enjambre.coordinator.data.Sources;
import org.enjambre.coordinator.errors.InvalidInputException;
import org.enjambre.coordinator.model.FileRecord;
import org.enjambre.coordinator.store.Json;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Uploaded files (README, "Data"): manifests ({@code POST /api/v1/files}), chunk uploads streamed to disk
 * ({@code PUT /api/v1/chunks/{sha256}}), chunk reads with ranges, whole files streamed, and the peers' question
 * "which of these chunks do you hold". Manifests and chunks take the admin key, a peer's token or a worker's token
 * (workers upload outputs); the peers' question takes the admin key or a peer's token.
 * Bodies of chunks never sit whole in memory ({@link BodyStream}, {@link StreamOut}).
 */
final class DataRoutes {
    private final Vertx vertx;
    private final DataService data;
    private final Access access;
    private final Bodies bodies;
    private final Work work;
    /** Chunk and file bytes sent, by who asked: workers, other peers, clients with the admin key. */
    private final java.util.Map<String, java.util.concurrent.atomic.AtomicLong> served = new java.util.LinkedHashMap<>();

    DataRoutes(RouteKit kit) {
        for (String kind : List.of("sharer", "peer")) {
            kit.services().metrics().counter("enjambre.data.bad.copies", "Bad chunk copies workers reported, by the kind of source that sent them",
                    "source", kind, () -> kit.services().data().badCopies().reported(kind));
        }
        for (String to : List.of("worker", "peer", "admin")) {
            java.util.concurrent.atomic.AtomicLong n = new java.util.concurrent.atomic.AtomicLong();
            served.put(to, n);
            kit.services().metrics().counter("enjambre.data.served.bytes", "Bytes of file chunks this peer sent, by who asked",
                    "to", to, n::get);
        }
        this.vertx = kit.vertx();
        this.data = kit.services().data();
        this.access = kit.access();
        this.bodies = kit.bodies();
        this.work = kit.work();
    }

    void mount(Router router) {
        // Workers upload their units' outputs as files (README, "Outputs as files"): their token may write too.
        router.post("/api/v1/files").handler(access.data(false)).handler(bodies.read(Limits.MANIFEST_BYTES))
                .handler(ctx -> work.json(ctx, 200, () -> {
                    DataService.Declared d = data.declare(Requests.object(Bodies.body(ctx)));
                    ObjectNode n = view(d.file());
                    ArrayNode missing = n.putArray("missing");
                    d.missing().forEach(missing::add);
                    return n;
                }));
        router.get("/api/v1/files/:id").handler(access.data(false)).handler(ctx -> {
            org.enjambre.coordinator.model.WorkerRecord w = Access.worker(ctx);
            String share;
            try {
                share = w == null ? null : ShareHeader.parse(ctx.request().getHeader(ShareHeader.NAME),
                        ctx.request().remoteAddress().hostAddress());
            } catch (RuntimeException e) {
                HttpErrors.fail(ctx, e);
                return;
            }
            work.json(ctx, 200, () -> {
                FileRecord f = data.file(ctx.pathParam("id"));
                ObjectNode n = view(f);
                ArrayNode chunks = n.putArray("chunks");
                f.chunks().forEach(chunks::add);
                if (w != null && f.complete()) {
                    Sources s = data.sources(f, w.id(), share);
                    if (!s.none()) {
                        n.set("sources", Json.MAPPER.valueToTree(s));
                    }
                }
                return n;
            });
        });
        router.get("/api/v1/files/:id/content").handler(access.data(false)).handler(this::content);
        router.post("/api/v1/chunks/present").handler(access.data(true)).handler(bodies.read(Limits.PRESENT_BYTES))
                .handler(ctx -> work.json(ctx, 200, () -> present(Requests.object(Bodies.body(ctx)))));
        router.put("/api/v1/chunks/:sha").handler(access.data(false)).handler(this::upload);
        router.post("/api/v1/chunks/:sha/verify").handler(access.data(true)).handler(ctx -> {
            if (!Access.fromPeer(ctx)) {
                HttpErrors.send(ctx, 403, "FORBIDDEN", "only coordinator peers ask each other to re-verify a chunk", null, 0);
                return;
            }
            work.json(ctx, 200, () -> Json.MAPPER.createObjectNode().put("sha256", ctx.pathParam("sha"))
                    .put("verified", data.badCopies().verify(ctx.pathParam("sha")).name()));
        });
        router.post("/api/v1/data/reports").handler(access.worker()).handler(bodies.read(BadCopyReports.BYTES))
                .handler(ctx -> work.json(ctx, 202, () -> {
                    BadCopyReports body = BadCopyReports.parse(Requests.object(Bodies.body(ctx)));
                    String reporter = Access.worker(ctx).id();
                    body.reports().forEach(r -> data.badCopies().report(reporter, r.file(), r.chunk(), r.source(), r.kind()));
                    return Json.MAPPER.createObjectNode().put("accepted", body.reports().size());
                }));
        router.get("/api/v1/chunks/:sha").handler(access.data(false)).handler(this::chunk);
    }

    private static ObjectNode view(FileRecord f) {
        return Json.MAPPER.createObjectNode().put("id", f.id()).put("name", f.name()).put("size", f.size())
                .put("chunkSize", f.chunkSize()).put("chunkCount", f.chunks().size()).put("complete", f.complete());
    }

    private ObjectNode present(JsonNode body) {
        JsonNode arr = body.get("chunks");
        if (arr == null || !arr.isArray() || arr.size() > Limits.MAX_PRESENT) {
            throw InvalidInputException.of("chunks must be a list of at most " + Limits.MAX_PRESENT + " SHA-256 hashes", "chunks");
        }
        List<String> asked = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
            asked.add(Hashes.check(arr.get(i).asText(), "chunks[" + i + "]"));
        }
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode out = n.putArray("present");
        data.presentHere(asked).forEach(out::add);
        return n;
    }

    private void upload(RoutingContext ctx) {
        String sha = ctx.pathParam("sha");
        if (!Hashes.valid(sha)) {
            HttpErrors.fail(ctx, new InvalidInputException("INVALID_HASH",
                    "the path must name the chunk by its SHA-256 in 64 lowercase hex digits", "sha256"));
            return;
        }
        long limit = data.options().chunkBytes();
        String declared = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        try {
            if (declared != null && Long.parseLong(declared.trim()) > limit) {
                HttpErrors.fail(ctx, tooLarge(limit));
                return;
            }
        } catch (NumberFormatException e) {
            HttpErrors.send(ctx, 400, "BAD_REQUEST", "the Content-Length header is not a number", null, 0);
            return;
        }
        boolean fromPeer = Access.fromPeer(ctx) && ctx.request().getHeader(PeerTransfer.REPLICA_HEADER) != null;
        BodyStream body = BodyStream.of(ctx.request(), vertx.getOrCreateContext());
        vertx.executeBlocking(() -> data.receive(sha, body, fromPeer), false).onComplete(r -> {
            if (r.failed()) {
                HttpErrors.fail(ctx, r.cause() instanceof ChunkTooLargeException e ? tooLarge(e.limit()) : r.cause());
            } else {
                DataService.Received got = r.result();
                Responses.json(ctx, got.created() ? 201 : 200, Json.MAPPER.createObjectNode().put("sha256", got.sha256())
                        .put("bytes", got.bytes()).put("created", got.created()).put("copies", got.copies()));
            }
        });
    }

    private static ApiException tooLarge(long limit) {
        return new ApiException(413, "CHUNK_TOO_LARGE", "a chunk is at most " + limit
                + " bytes (this cluster's chunk size); cut the file into chunks of that size", "sha256");
    }

    private void chunk(RoutingContext ctx) {
        String sha = ctx.pathParam("sha");
        boolean fromPeer = Access.fromPeer(ctx) && ctx.request().getHeader(PeerTransfer.REPLICA_HEADER) != null;
        String rangeHeader = ctx.request().getHeader("Range");
        countServed(ctx);
        work.blocking(ctx, () -> {
            long size = data.ensureLocal(sha, fromPeer);
            ByteRange range;
            try {
                range = ByteRange.parse(rangeHeader, size);
            } catch (ApiException e) {
                ctx.response().putHeader("Content-Range", "bytes */" + size);
                throw e;
            }
            return new Opened(range, size, data.chunk(sha, range.offset(), range.length()));
        }).onSuccess(o -> {
            HttpServerResponse resp = ctx.response();
            if (o.range().partial()) {
                resp.setStatusCode(206).putHeader("Content-Range", o.range().contentRange(o.size()));
            }
            resp.putHeader("Accept-Ranges", "bytes").putHeader("ETag", "\"" + sha + "\"")
                    .putHeader("Cache-Control", "public, max-age=31536000, immutable");
            send(resp, o.range().length(), o.in());
        });
    }

    /** Adds the body bytes of this response, once sent, to {@link #served}. */
    private void countServed(RoutingContext ctx) {
        String to = Access.fromPeer(ctx) ? "peer" : Access.worker(ctx) != null ? "worker" : "admin";
        ctx.addEndHandler(v -> served.get(to).addAndGet(ctx.response().bytesWritten()));
    }

    private void content(RoutingContext ctx) {
        countServed(ctx);
        work.blocking(ctx, () -> {
            FileRecord f = data.file(ctx.pathParam("id"));
            return new Opened(ByteRange.whole(f.size()), f.size(), data.content(f));
        }).onSuccess(o -> send(ctx.response(), o.size(), o.in()));
    }

    private void send(HttpServerResponse resp, long length, InputStream in) {
        Downloads.headers(resp);
        resp.putHeader("Content-Type", "application/octet-stream").putHeader("Content-Length", Long.toString(length));
        StreamOut.send(vertx, resp, in);
    }

    private record Opened(ByteRange range, long size, InputStream in) {
    }
}
