package org.enjambre.coordinator.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import org.enjambre.coordinator.store.Json;

/** Writing JSON answers; nothing is written once a response ended or its connection closed. */
final class Responses {
    private Responses() {
    }

    static boolean over(RoutingContext ctx) {
        return ctx.response().ended() || ctx.response().closed();
    }

    /** Sends {@code body} (a JSON tree, a serialized string or bytes) with {@code status}. */
    static void json(RoutingContext ctx, int status, Object body) {
        if (over(ctx)) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json");
        if (body instanceof Buffer b) {
            ctx.response().end(b);
        } else {
            ctx.response().end(body instanceof String s ? s : Json.write(body));
        }
    }
}
