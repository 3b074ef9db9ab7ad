package org.enjambre.coordinator.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.Callable;

/** Runs a request's work on a Vert.x worker thread (never on the event loop) and answers its failure. */
final class Work {
    private final Vertx vertx;

    Work(Vertx vertx) {
        this.vertx = vertx;
    }

    /** The work's result on the request's event loop; a failure is already answered ({@link HttpErrors}). */
    <T> Future<T> blocking(RoutingContext ctx, Callable<T> work) {
        return vertx.executeBlocking(work, false).onFailure(t -> HttpErrors.fail(ctx, t));
    }

    /** Answers with the work's result as JSON and {@code status}. */
    void json(RoutingContext ctx, int status, Callable<Object> work) {
        blocking(ctx, work).onSuccess(body -> Responses.json(ctx, status, body));
    }
}
