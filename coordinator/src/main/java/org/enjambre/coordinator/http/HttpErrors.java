package org.enjambre.coordinator.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.RoutingContext;
import org.enjambre.coordinator.errors.ConflictException;
import org.enjambre.coordinator.errors.DomainException;
import org.enjambre.coordinator.errors.InternalFailureException;
import org.enjambre.coordinator.errors.InvalidInputException;
import org.enjambre.coordinator.errors.NotFoundException;
import org.enjambre.coordinator.errors.RateLimitedException;
import org.enjambre.coordinator.errors.UnauthenticatedException;
import org.enjambre.coordinator.errors.UnavailableException;
import org.enjambre.coordinator.store.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP answers: each domain exception kind has its status, every
 * answer is {@code {"error":{"code","message","field"?}}}, and every 429 and 503 carries {@code Retry-After}.
 */
final class HttpErrors {
    private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

    private HttpErrors() {
    }

    /** The HTTP status of a domain refusal. */
    static int status(DomainException e) {
        if (e instanceof InvalidInputException) {
            return 400;
        } else if (e instanceof UnauthenticatedException) {
            return 401;
        } else if (e instanceof NotFoundException) {
            return 404;
        } else if (e instanceof ConflictException) {
            return 409;
        } else if (e instanceof RateLimitedException) {
            return 429;
        } else if (e instanceof UnavailableException) {
            return 503;
        } else if (e instanceof InternalFailureException) {
            return 500;
        }
        throw new IllegalStateException("no HTTP status for " + e.getClass().getName());
    }

    /**
     * Answers a failed request: domain and API exceptions as they say; anything else (storage or cluster
     * trouble on a worker thread) as 503 {@code UNAVAILABLE}, logged.
     */
    static void fail(RoutingContext ctx, Throwable t) {
        if (t instanceof DomainException e) {
            long retry = e instanceof RateLimitedException r ? r.retryAfterSeconds()
                    : e instanceof UnavailableException u ? u.retryAfterSeconds() : 0;
            send(ctx, status(e), e.code(), e.getMessage(), e.field(), retry);
        } else if (t instanceof ApiException e) {
            send(ctx, e.status(), e.code(), e.getMessage(), e.field(), 0);
        } else {
            LOG.error("request {} {} failed", ctx.request().method(), ctx.request().path(), t);
            send(ctx, 503, "UNAVAILABLE",
                    "the coordinator could not serve this request now (its storage or cluster is unavailable); retry shortly", null, 1);
        }
    }

    /** Answers a failure thrown on an event loop: as {@link #fail} for refusals, else 500 {@code INTERNAL} (a bug), logged. */
    static void failOnLoop(RoutingContext ctx, Throwable t) {
        if (t instanceof DomainException || t instanceof ApiException) {
            fail(ctx, t);
        } else {
            LOG.error("request {} {} failed", ctx.request().method(), ctx.request().path(), t);
            send(ctx, 500, "INTERNAL", "internal error: " + (t == null ? "unknown" : t.getClass().getSimpleName()), null, 0);
        }
    }

    /** Writes an error answer (nothing when the response is already over). */
    static void send(RoutingContext ctx, int status, String code, String message, String field, long retryAfterSeconds) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ObjectNode err = Json.MAPPER.createObjectNode();
        ObjectNode inner = err.putObject("error");
        inner.put("code", code);
        inner.put("message", message);
        if (field != null) {
            inner.put("field", field);
        }
        if (retryAfterSeconds > 0) {
            ctx.response().putHeader("Retry-After", Long.toString(retryAfterSeconds));
        }
        Responses.json(ctx, status, err);
    }
}
