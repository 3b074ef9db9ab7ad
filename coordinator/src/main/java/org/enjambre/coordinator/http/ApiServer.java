package org.enjambre.coordinator.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import org.enjambre.coordinator.jobs.JobService;
import org.enjambre.coordinator.metrics.Metrics;
import org.enjambre.coordinator.sched.Scheduler;
import org.enjambre.coordinator.store.Json;
import org.enjambre.coordinator.store.Store;
import org.enjambre.coordinator.workers.WorkerService;
import org.enjambre.dashboard.Dashboard;
import org.enjambre.workunits.trust.RateLimiter;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.function.LongSupplier;

/**
 * The HTTP face of a peer: wires the admin API ({@link AdminRoutes}), the worker protocol
 * ({@link WorkerRoutes}), {@code /health}, {@code /metrics}, the OpenAPI document and the dashboard.
 *
 * <p>Every request passes the same stages: timing, {@link Bodies#pause()} (a body is not read yet),
 * the route's guards on headers ({@link Access}), its bounded body ({@link Bodies#read}), its handler.
 * Handlers never block an event loop: work that touches the cluster or the store runs on Vert.x worker
 * threads ({@link Work}); failures become answers in one place ({@link HttpErrors}).
 */
public final class ApiServer {
    private static final int ACCEPT_BACKLOG = 65_535;

    /** What the peer's cluster can tell the API: its size, its view, the initial frames of an event stream. */
    public interface Peers {
        int count();

        ObjectNode clusterView();

        String snapshotEvents();
    }

    /** The services the API serves from. */
    public record Services(JobService jobs, WorkerService workers, Scheduler scheduler, Store store, Metrics metrics,
                           Events events, LongPolls polls, Peers peers, RateLimiter fetchLimiter, Clock clock,
                           LongSupplier ticker, org.enjambre.coordinator.data.DataService data) {
    }

    /** How the API is configured: the admin key, whether views need it, the buffered-bytes budget. */
    public record Settings(String apiKey, boolean privateViews, long maxBufferedBytes) {
    }

    private final Vertx vertx;
    private final Services s;
    private final Settings settings;
    private final Bodies bodies;
    private HttpServer server;

    public ApiServer(Vertx vertx, Services services, Settings settings) {
        this.vertx = vertx;
        this.s = services;
        this.settings = settings;
        this.bodies = new Bodies(settings.maxBufferedBytes());
        s.metrics().gauge("enjambre.http.bodies.buffered", "Bytes of request bodies buffered now", "scope", "peer",
                bodies::buffered);
        s.metrics().gauge("enjambre.http.longpolls", "Fetches waiting for work on this peer", "scope", "peer",
                s.polls()::waiting);
    }

    public Future<HttpServer> listen(String host, int port) {
        Router router = Router.router(vertx);
        router.route().handler(ctx -> {
            long start = s.ticker().getAsLong();
            ctx.addEndHandler(v -> {
                String route = ctx.currentRoute() == null || ctx.currentRoute().getPath() == null ? "other" : ctx.currentRoute().getPath();
                s.metrics().http(route, ctx.request().method().name(), ctx.response().getStatusCode(), s.ticker().getAsLong() - start);
            });
            ctx.next();
        });
        router.route().handler(bodies.pause());
        router.route("/api/*").handler(ctx -> {
            ctx.response().putHeader("X-Content-Type-Options", "nosniff");
            ctx.next();
        });

        router.get("/health").handler(ctx -> Responses.json(ctx, s.store().writable() ? 200 : 503,
                Json.MAPPER.createObjectNode().put("status", s.store().writable() ? "UP" : "DEGRADED")
                .put("peers", s.peers().count())));
        Work work = new Work(vertx);
        router.get("/metrics").handler(ctx -> work.blocking(ctx, () -> s.metrics().scrape()).onSuccess(text ->
                ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(text)));
        router.get("/api/v1/openapi.yaml").handler(ctx -> {
            try (InputStream in = ApiServer.class.getResourceAsStream("/openapi.yaml")) {
                ctx.response().putHeader("Content-Type", "application/yaml").end(Buffer.buffer(in.readAllBytes()));
            } catch (IOException | NullPointerException e) {
                HttpErrors.fail(ctx, new ApiException(500, "INTERNAL", "the OpenAPI document is missing from this build"));
            }
        });

        Access access = new Access(vertx, settings.apiKey(), settings.privateViews(), s.workers(), s.fetchLimiter(),
                s.data()::peerToken);
        RouteKit kit = new RouteKit(vertx, s, access, bodies, work);
        new AdminRoutes(kit).mount(router);
        new WorkerRoutes(kit).mount(router);
        new DataRoutes(kit).mount(router);
        router.route("/api/*").handler(ctx -> HttpErrors.fail(ctx, new ApiException(404, "NOT_FOUND",
                "no endpoint " + ctx.request().method() + " " + ctx.request().path())));

        router.route("/*").handler(ctx -> {
            ctx.response().putHeader("Content-Security-Policy", Dashboard.contentSecurityPolicy(ctx.normalizedPath()));
            ctx.next();
        });
        router.route("/*").handler(StaticHandler.create(Dashboard.RESOURCE_ROOT).setCachingEnabled(false)
                .setIndexPage(Dashboard.INDEX));

        router.errorHandler(500, ctx -> HttpErrors.failOnLoop(ctx, ctx.failure()));

        // A large accept backlog: thousands of workers may connect in the same instant (after an outage, say);
        // the kernel caps it at net.core.somaxconn (README, Scaling out).
        server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setCompressionSupported(true)
                .setAcceptBacklog(ACCEPT_BACKLOG));
        return server.requestHandler(router).listen();
    }

    public int port() {
        return server.actualPort();
    }

    /** Bytes of request bodies buffered now, and the most ever buffered at once ({@code --max-buffered-mb} bounds both). */
    public long[] bufferedBodyBytes() {
        return new long[]{bodies.buffered(), bodies.highWater()};
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
