package org.enjambre.coordinator.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One HTTP server on its own event loop (a verticle instance has its own context). A peer runs several on one port;
 * Vert.x hands each new connection to the next of them, so connections, and everything done on a connection's
 * loop (guards, body reading, long-poll timers and answers), spread over the loops. Shared state that handlers
 * touch must therefore be thread-safe (ApiServer's class comment lists it).
 */
final class ServerLoop extends VerticleBase {
    private final HttpServerOptions options;
    private final Router router;
    private final List<ServerLoop> started;
    private final AtomicInteger connections = new AtomicInteger();
    private volatile HttpServer server;

    /** @param started where this loop adds itself once it listens */
    ServerLoop(HttpServerOptions options, Router router, List<ServerLoop> started) {
        this.options = options;
        this.router = router;
        this.started = started;
    }

    @Override
    public Future<?> start() {
        HttpServer s = vertx.createHttpServer(options).requestHandler(router).connectionHandler(c -> {
            connections.incrementAndGet();
            c.closeHandler(v -> connections.decrementAndGet());
        });
        return s.listen().onSuccess(v -> {
            server = s;
            started.add(this);
        });
    }

    HttpServer server() {
        return server;
    }

    /** Connections open on this loop now. */
    int connections() {
        return connections.get();
    }
}
