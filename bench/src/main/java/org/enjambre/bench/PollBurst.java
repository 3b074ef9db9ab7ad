package org.enjambre.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A non-blocking load generator for long-polls: N keep-alive connections opened beforehand, then one fetch on each
 * of the first {@code count} connections, all sent from one event loop in one pass (10,000 in tens of milliseconds),
 * so that what is measured is the coordinator and not the generator. Confined to its one event loop.
 */
final class PollBurst implements AutoCloseable {
    /** Connections being opened at once (the coordinator's accept backlog is large; the kernel's may not be). */
    private static final int CONNECT_WINDOW = 512;

    /** One round: each poll's duration (send to last byte of the answer) and status (-1: failed), and timings. */
    record Round(long[] nanos, int[] status, double launchSeconds, double allSeconds, String firstError) {
        int ok() {
            int ok = 0;
            for (int s : status) {
                ok += s == 200 ? 1 : 0;
            }
            return ok;
        }
    }

    private final Vertx vertx;
    private final HttpClientAgent http;
    private final URI base;
    private final List<HttpClientConnection> connections;

    private PollBurst(Vertx vertx, HttpClientAgent http, URI base, List<HttpClientConnection> connections) {
        this.vertx = vertx;
        this.http = http;
        this.base = base;
        this.connections = connections;
    }

    /** Opens {@code n} connections to {@code base} (one event loop per CPU this JVM may use: {@code taskset} bounds it). */
    static PollBurst open(String base, int n) throws Exception {
        URI uri = URI.create(base);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(1, Runtime.getRuntime().availableProcessors()))
                .setBlockedThreadCheckInterval(10_000));
        HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setIdleTimeout(0)
                .setConnectTimeout(60_000));
        HttpConnectOptions where = new HttpConnectOptions().setHost(uri.getHost()).setPort(uri.getPort());
        List<HttpClientConnection> open = new ArrayList<>(n);
        for (int from = 0; from < n; from += CONNECT_WINDOW) {
            List<Future<HttpClientConnection>> batch = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + CONNECT_WINDOW); i++) {
                batch.add(http.connect(where));
            }
            for (Future<HttpClientConnection> f : batch) {
                open.add(f.await(60, TimeUnit.SECONDS));
            }
        }
        return new PollBurst(vertx, http, uri, open);
    }

    /** Sends one fetch ({@code body}) with {@code tokens[i]} on each of the first {@code count} connections at once; waits for all answers. */
    Round round(String[] tokens, int count, String body) throws Exception {
        if (count > connections.size() || count > tokens.length) {
            throw new IllegalArgumentException(count + " polls need as many connections and tokens");
        }
        long[] nanos = new long[count];
        int[] status = new int[count];
        AtomicInteger left = new AtomicInteger(count);
        AtomicReference<String> firstError = new AtomicReference<>();
        Promise<Void> all = Promise.promise();
        Buffer payload = Buffer.buffer(body);
        long[] launch = new long[1];
        long t0 = System.nanoTime();
        vertx.runOnContext(v -> {
            for (int i = 0; i < count; i++) {
                int k = i;
                long start = System.nanoTime();
                RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setURI("/api/v1/work/fetch")
                        .setHost(base.getHost()).setPort(base.getPort())
                        .putHeader("Content-Type", "application/json").putHeader("Authorization", "Bearer " + tokens[k]);
                connections.get(k).request(o)
                        .compose(req -> req.send(payload))
                        .compose(resp -> resp.body().map(b -> {
                            if (resp.statusCode() != 200) {
                                firstError.compareAndSet(null, "fetch " + resp.statusCode() + " " + b);
                            }
                            return resp.statusCode();
                        }))
                        .onComplete(r -> {
                            nanos[k] = System.nanoTime() - start;
                            status[k] = r.succeeded() ? r.result() : -1;
                            if (r.failed()) {
                                firstError.compareAndSet(null, r.cause().toString());
                            }
                            if (left.decrementAndGet() == 0) {
                                all.complete();
                            }
                        });
            }
            launch[0] = System.nanoTime() - t0;
        });
        all.future().await(600, TimeUnit.SECONDS);
        return new Round(nanos, status, launch[0] / 1e9, (System.nanoTime() - t0) / 1e9, firstError.get());
    }

    @Override
    public void close() throws Exception {
        http.close().await(30, TimeUnit.SECONDS);
        vertx.close().await(30, TimeUnit.SECONDS);
    }
}
