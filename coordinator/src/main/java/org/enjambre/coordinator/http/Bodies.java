package org.enjambre.coordinator.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.enjambre.coordinator.errors.UnavailableException;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Request bodies, read only after a request's credentials and rate limits passed: each route has its own
 * limit, and all requests together never buffer more than a budget of bytes at once.
 *
 * <p>How: {@link #pause()} runs first for every request that may carry a body and stops reading it; the
 * route's guards run on the headers alone; then {@link #read(long)} reserves the declared length (or each
 * chunk as it comes, when the length is not declared) from the budget and reads. A request past its
 * route's limit gets 413, past the budget 503 with {@code Retry-After}; a refused request's body is
 * drained without being kept (the client then reads its answer), and its reservation is returned when
 * its response ends. Invariant: {@link #buffered()} is the sum of the reservations of requests whose
 * response has not ended, and never exceeds the budget.
 */
final class Bodies {
    private static final String BODY = "enjambre.body";
    /** Past this many drained bytes of a refused body the connection is closed instead. */
    private static final long MAX_DRAINED = 80L << 20;
    /** How long a client told "busy" should wait. */
    private static final long BUSY_RETRY_SECONDS = 2;

    private final long budget;
    private final AtomicLong buffered = new AtomicLong();
    private final AtomicLong highWater = new AtomicLong();

    Bodies(long budget) {
        if (budget < 1) {
            throw new IllegalArgumentException("the buffered-bytes budget must be positive");
        }
        this.budget = budget;
    }

    /** Bytes of request bodies reserved now. */
    long buffered() {
        return buffered.get();
    }

    /** The most bytes of request bodies ever reserved at once on this server. */
    long highWater() {
        return highWater.get();
    }

    long budget() {
        return budget;
    }

    /** The first handler of every request: a request that may carry a body stops reading it, and drains it if refused. */
    Handler<RoutingContext> pause() {
        return ctx -> {
            HttpServerRequest req = ctx.request();
            HttpMethod m = req.method();
            if (m != HttpMethod.GET && m != HttpMethod.HEAD && m != HttpMethod.OPTIONS && !req.isEnded()) {
                req.pause();
                ctx.addEndHandler(v -> drain(req));
            }
            ctx.next();
        };
    }

    /** Reads the body (at most {@code limit} bytes) into the context, then passes the request on; 413 {@code BODY_TOO_LARGE} past it. */
    Handler<RoutingContext> read(long limit) {
        return read(limit, "BODY_TOO_LARGE");
    }

    /** As {@link #read(long)}, with the route's own code for a body over its limit. */
    Handler<RoutingContext> read(long limit, String tooLargeCode) {
        return ctx -> {
            HttpServerRequest req = ctx.request();
            long declared;
            try {
                String h = req.getHeader(HttpHeaders.CONTENT_LENGTH);
                declared = h == null ? -1 : Long.parseLong(h.trim());
            } catch (NumberFormatException e) {
                HttpErrors.send(ctx, 400, "BAD_REQUEST", "the Content-Length header is not a number", null, 0);
                return;
            }
            if (declared > limit) {
                tooLarge(ctx, limit, tooLargeCode);
                return;
            }
            Reservation reserved = new Reservation();
            ctx.addEndHandler(v -> reserved.release());
            if (declared > 0 && !reserved.take(declared)) {
                busy(ctx);
                return;
            }
            if (req.isEnded()) {
                ctx.put(BODY, Buffer.buffer());
                ctx.next();
                return;
            }
            if (req.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
                ctx.response().writeContinue();
            }
            Buffer body = Buffer.buffer((int) Math.min(Math.max(declared, 256), 64 << 10));
            boolean[] refused = {false};
            req.handler(chunk -> {
                if (refused[0]) {
                    return;
                }
                if (body.length() + (long) chunk.length() > limit) {
                    refused[0] = true;
                    tooLarge(ctx, limit, tooLargeCode);
                } else if (declared < 0 && !reserved.take(chunk.length())) {
                    refused[0] = true;
                    busy(ctx);
                } else {
                    body.appendBuffer(chunk);
                }
            });
            req.endHandler(v -> {
                if (!refused[0]) {
                    ctx.put(BODY, body);
                    ctx.next();
                }
            });
            req.resume();
        };
    }

    /** The body {@link #read} put into the context (empty when there was none). */
    static Buffer body(RoutingContext ctx) {
        Buffer b = ctx.get(BODY);
        return b == null ? Buffer.buffer() : b;
    }

    private static void tooLarge(RoutingContext ctx, long limit, String code) {
        HttpErrors.send(ctx, 413, code, "the body of " + ctx.request().method() + " " + ctx.request().path()
                + " is more than the limit of " + limit + " bytes", null, 0);
    }

    private void busy(RoutingContext ctx) {
        HttpErrors.fail(ctx, new UnavailableException("SERVER_BUSY", "the coordinator holds " + (budget >> 20)
                + " MiB of request bodies at once (its --max-buffered-mb) and is full; retry after "
                + BUSY_RETRY_SECONDS + " s", BUSY_RETRY_SECONDS));
    }

    /** After the answer: whatever the client still sends is read and dropped (or the connection closed past a bound). */
    private static void drain(HttpServerRequest req) {
        if (req.isEnded()) {
            return;
        }
        long[] drained = {0};
        req.handler(chunk -> {
            drained[0] += chunk.length();
            if (drained[0] > MAX_DRAINED) {
                req.connection().close();
            }
        });
        req.endHandler(v -> { });
        req.resume();
    }

    /** Bytes one request reserved from the budget; returned once, when its response ends. */
    private final class Reservation {
        private long held;
        private boolean released;

        /** Reserves {@code n} more bytes; false (nothing reserved) when the budget cannot hold them. */
        boolean take(long n) {
            while (true) {
                long now = buffered.get();
                if (released || now + n > budget) {
                    return false;
                }
                if (buffered.compareAndSet(now, now + n)) {
                    held += n;
                    highWater.accumulateAndGet(now + n, Math::max);
                    return true;
                }
            }
        }

        void release() {
            if (!released) {
                released = true;
                buffered.addAndGet(-held);
                held = 0;
            }
        }
    }
}
