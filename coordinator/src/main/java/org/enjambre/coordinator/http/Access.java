package org.enjambre.coordinator.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import org.enjambre.coordinator.errors.RateLimitedException;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.coordinator.workers.WorkerService;
import org.enjambre.workunits.trust.RateLimiter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The guards that run on a request's headers alone, before its body is read: the admin key, the
 * read-only views' access, a worker's token and the per-client rate limits. A guard either passes the
 * request on or answers it. Worker tokens are checked against a short-lived local cache on the event
 * loop, and otherwise on a worker thread (the check may ask the cluster or the store).
 */
final class Access {
    private static final String WORKER = "enjambre.worker";
    private static final String PEER = "enjambre.peer";

    private final Vertx vertx;
    private final byte[] apiKey;
    private final boolean privateViews;
    private final WorkerService workers;
    private final RateLimiter fetchLimiter;
    private final java.util.function.Supplier<String> peerToken;

    /** @param peerToken the secret coordinator peers present to each other on data requests */
    Access(Vertx vertx, String apiKey, boolean privateViews, WorkerService workers, RateLimiter fetchLimiter,
           java.util.function.Supplier<String> peerToken) {
        this.vertx = vertx;
        this.apiKey = apiKey.getBytes(StandardCharsets.UTF_8);
        this.privateViews = privateViews;
        this.workers = workers;
        this.fetchLimiter = fetchLimiter;
        this.peerToken = peerToken;
    }

    /**
     * Data writes (uploads): the admin key, or another peer's token ({@link #fromPeer}). Data reads also take a
     * worker's token: workers read their units' input files.
     */
    Handler<RoutingContext> data(boolean write) {
        Handler<RoutingContext> worker = worker();
        return ctx -> {
            String key = Requests.bearer(ctx);
            String peer = peerToken.get();
            if (key != null && peer != null && MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8),
                    peer.getBytes(StandardCharsets.UTF_8))) {
                ctx.put(PEER, Boolean.TRUE);
                ctx.next();
            } else if (write || key == null || MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8), apiKey)) {
                admin().handle(ctx);
            } else {
                worker.handle(ctx);
            }
        };
    }

    /** Whether another coordinator peer sent this request ({@link #data} passed it on the peers' token). */
    static boolean fromPeer(RoutingContext ctx) {
        return Boolean.TRUE.equals(ctx.get(PEER));
    }

    /** Requires the admin API key: 401 without one, 403 with a wrong one. */
    Handler<RoutingContext> admin() {
        return ctx -> {
            if (authorized(ctx)) {
                ctx.next();
            }
        };
    }

    /** The read-only views: open, or the admin key with {@code --private-dashboard}. */
    Handler<RoutingContext> view() {
        return ctx -> {
            if (!privateViews || authorized(ctx)) {
                ctx.next();
            }
        };
    }

    private boolean authorized(RoutingContext ctx) {
        String key = Requests.bearer(ctx);
        if (key == null) {
            HttpErrors.send(ctx, 401, "UNAUTHENTICATED", "an API key is required (Authorization: Bearer <key>)", null, 0);
            return false;
        }
        if (!MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8), apiKey)) {
            HttpErrors.send(ctx, 403, "FORBIDDEN", "the API key is wrong", null, 0);
            return false;
        }
        return true;
    }

    /** Requires a worker token; the worker is then {@link #worker(RoutingContext)}. */
    Handler<RoutingContext> worker() {
        return worker(workers::cached);
    }

    /**
     * As {@link #worker()}, but a token this peer issued or verified within the last minute passes on the event loop
     * ({@link WorkerService#known}): for routes whose handler acts only on {@link WorkerService#current}, re-read off the
     * loop, so that a revocation or a blacklisting elsewhere still counts (fetch and report: the hot path).
     */
    Handler<RoutingContext> knownWorker() {
        return worker(workers::known);
    }

    private Handler<RoutingContext> worker(java.util.function.Function<String, WorkerRecord> local) {
        return ctx -> {
            String token = Requests.bearer(ctx);
            try {
                WorkerService.checkShape(token);
            } catch (RuntimeException e) {
                HttpErrors.fail(ctx, e);
                return;
            }
            WorkerRecord cached = local.apply(token);
            if (cached != null) {
                ctx.put(WORKER, cached);
                ctx.next();
                return;
            }
            vertx.executeBlocking(() -> workers.authenticate(token), false).onComplete(r -> {
                if (r.failed()) {
                    HttpErrors.fail(ctx, r.cause());
                } else {
                    ctx.put(WORKER, r.result());
                    ctx.next();
                }
            });
        };
    }

    /** The worker {@link #worker()} authenticated. */
    static WorkerRecord worker(RoutingContext ctx) {
        return ctx.get(WORKER);
    }

    /** A worker's fetches per its rate limit (after {@link #worker()}): 429 with {@code Retry-After} past it. */
    Handler<RoutingContext> fetchRate() {
        return ctx -> {
            WorkerRecord w = worker(ctx);
            RateLimiter.Permit permit = fetchLimiter.tryAcquire(w.id());
            if (permit.granted()) {
                ctx.next();
                return;
            }
            long retry = RateLimitedException.seconds(permit.retryAfterMillis());
            HttpErrors.fail(ctx, new RateLimitedException("TOO_MANY_REQUESTS",
                    "worker " + w.id() + " fetches too often; retry after " + retry + " s", retry));
        };
    }

    /** A fetch by {@code w} answered with {@code tasks} tasks: one of {@link Limits#UNCOUNTED_FETCH} or more is not counted. */
    void fetched(WorkerRecord w, int tasks) {
        if (tasks >= Limits.UNCOUNTED_FETCH) {
            fetchLimiter.giveBack(w.id());
        }
    }

    /** Registrations per client address (in memory, on the event loop): 429 with {@code Retry-After} past the limit. */
    Handler<RoutingContext> registration() {
        return ctx -> {
            try {
                workers.admitRegistration(ctx.request().remoteAddress().host());
            } catch (RateLimitedException e) {
                HttpErrors.fail(ctx, e);
                return;
            }
            ctx.next();
        };
    }
}
