package org.enjambre.coordinator.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * The HTTP face of a peer: wires the admin API ({@link AdminRoutes}), the worker protocol
 * ({@link WorkerRoutes}), {@code /health}, {@code /metrics}, the OpenAPI document and the dashboard.
 *
 * <p>Every request passes the same stages: timing, {@link Bodies#pause()} (a body is not read yet),
 * the route's guards on headers ({@link Access}), its bounded body ({@link Bodies#read}), its handler.
 * Handlers never block an event loop: work that touches the cluster or the store runs on Vert.x worker
 * threads ({@link Work}); failures become answers in one place ({@link HttpErrors}).
 *
 * <p>HTTP is served by {@link Settings#loops} servers, each on its own event loop ({@link ServerLoop}), sharing one
 * port and one router. A request stays on its connection's loop, but the state routes share is touched from several
 * loops at once, so it is thread-safe: {@link Bodies}' budget (atomics), {@link LongPolls} (locked), the waiting
 * polls by worker ({@code WorkerRoutes}, a concurrent map; a poll itself is confined to its loop's context),
 * {@link Events}' subscribers (each written on its own context), the metrics' timer map, the rate limiters and the
 * worker-token cache (concurrent maps).
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

    /**
     * How the API is configured: the admin key, whether views need it, the buffered-bytes budget, and how many event
     * loops serve HTTP (one server each, all on one port; {@code --http-loops}).
     */
    public record Settings(String apiKey, boolean privateViews, long maxBufferedBytes, int loops) {
        public Settings {
            if (loops < 1) {
                throw new IllegalArgumentException("HTTP needs at least one event loop, not " + loops);
            }
        }
    }

    private final Vertx vertx;
    private final Services s;
    private final Settings settings;
    private final Bodies bodies;
    /** The servers, one per event loop, all listening on {@link #port()}. Filled while listening; read after. */
    private final List<ServerLoop> loops = new CopyOnWriteArrayList<>();
    private final List<String> deployments = new CopyOnWriteArrayList<>();
    private volatile int port = -1;

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

    /** Starts {@link Settings#loops} servers on {@code host:port}; the future holds the port they listen on. */
    public Future<Integer> listen(String host, int port) {
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
        HttpServerOptions options = new HttpServerOptions().setHost(host).setCompressionSupported(true)
                .setAcceptBacklog(ACCEPT_BACKLOG);
        // One server per event loop: Vert.x spreads the connections of servers that share a port over their loops.
        // Port 0 would give each server a port of its own: Vert.x's "-1" is one free port shared by every server that
        // asks for -1 in this Vert.x instance. The first server binds, the others then join it.
        options.setPort(port == 0 ? -1 : port);
        return deploy(options, router, 1).compose(first -> settings.loops() == 1 ? Future.succeededFuture()
                : deploy(options, router, settings.loops() - 1)).map(v -> {
                    this.port = loops.get(0).server().actualPort();
                    return this.port;
                });
    }

    private Future<String> deploy(HttpServerOptions options, Router router, int instances) {
        return vertx.deployVerticle(() -> new ServerLoop(new HttpServerOptions(options), router, loops),
                        new DeploymentOptions().setInstances(instances))
                .onSuccess(deployments::add);
    }

    /** The port every server listens on (the actual one when 0 was asked for); -1 before {@link #listen}. */
    public int port() {
        return port;
    }

    /** Open connections on each event loop that serves HTTP, in the order the servers started. */
    public int[] connectionsByLoop() {
        return loops.stream().mapToInt(ServerLoop::connections).toArray();
    }

    /** Bytes of request bodies buffered now, and the most ever buffered at once ({@code --max-buffered-mb} bounds both). */
    public long[] bufferedBodyBytes() {
        return new long[]{bodies.buffered(), bodies.highWater()};
    }

    /** Stops every server (undeploying a loop's verticle closes its server). */
    public Future<Void> close() {
        List<Future<Void>> undeployed = deployments.stream().map(vertx::undeploy).toList();
        return Future.join(undeployed).mapEmpty();
    }
}
