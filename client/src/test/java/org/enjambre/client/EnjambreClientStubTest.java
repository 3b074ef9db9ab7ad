package org.enjambre.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a real coordinator cannot be made to do on demand: answer a GET with 429/503, send an error that is not
 * JSON, offer no event stream. A stub on loopback answers as scripted; the client's sleeps go to a fake clock.
 */
class EnjambreClientStubTest {
    private static final String RUNNING = job("RUNNING", 0.5, 1);
    private static final String COMPLETED = job("COMPLETED", 1.0, 2);

    private HttpServer server;
    private final FakeTiming timing = new FakeTiming();
    /** Scripted answers per path, taken in order; the last one repeats. */
    private final Map<String, List<Reply>> script = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

    record Reply(int status, String body, String contentType, String retryAfter) {
        static Reply json(int status, String body) {
            return new Reply(status, body, "application/json", null);
        }
    }

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static String job(String state, double progress, int done) {
        return "{\"id\":\"j-1\",\"name\":\"stub\",\"app\":\"noop\",\"state\":\"" + state + "\",\"priority\":0,\"progress\":" + progress
                + ",\"workUnits\":{\"total\":2,\"done\":" + done + "},\"failure\":null}";
    }

    private void answer(HttpExchange ex) throws IOException {
        String key = ex.getRequestMethod() + " " + ex.getRequestURI().getPath();
        int n = hits.computeIfAbsent(key, k -> new AtomicInteger()).getAndIncrement();
        List<Reply> replies = script.getOrDefault(key, List.of(Reply.json(404, "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"no route\"}}")));
        Reply r = replies.get(Math.min(n, replies.size() - 1));
        byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", r.contentType());
        if (r.retryAfter() != null) {
            ex.getResponseHeaders().add("Retry-After", r.retryAfter());
        }
        // A "truncated" reply promises twice its bytes and hangs up after them, as a connection that breaks.
        boolean truncated = r.contentType().endsWith(";truncated");
        ex.sendResponseHeaders(r.status(), bytes.length == 0 ? -1 : truncated ? 2L * bytes.length : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private EnjambreClient client() {
        return EnjambreClient.builder().url("http://127.0.0.1:" + server.getAddress().getPort()).apiKey("k")
                .timeout(Duration.ofSeconds(10)).timing(timing).build();
    }

    private int hits(String key) {
        return hits.getOrDefault(key, new AtomicInteger()).get();
    }

    @Test
    void get_answered503WithRetryAfter_isRetriedAfterThatLong() {
        script.put("GET /api/v1/jobs/j-1", List.of(new Reply(503, "{\"error\":{\"code\":\"UNAVAILABLE\",\"message\":\"busy\"}}",
                "application/json", "2"), Reply.json(200, RUNNING)));

        Job j = client().job("j-1");

        assertThat(j.state()).isEqualTo(JobState.RUNNING);
        assertThat(hits("GET /api/v1/jobs/j-1")).isEqualTo(2);
        assertThat(timing.sleeps).containsExactly(Duration.ofSeconds(2));
    }

    @Test
    void get_answered429Repeatedly_givesUpAfterTheBoundedRetries_withTheHint() {
        script.put("GET /api/v1/jobs", List.of(new Reply(429, "{\"error\":{\"code\":\"RATE_LIMITED\",\"message\":\"slow down\"}}",
                "application/json", "3")));

        assertThatThrownBy(() -> client().jobs()).isInstanceOfSatisfying(ServerBusyException.class, e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.code()).isEqualTo("RATE_LIMITED");
            assertThat(e.retryAfter()).contains(Duration.ofSeconds(3));
        });
        assertThat(hits("GET /api/v1/jobs")).isEqualTo(1 + Transport.GET_RETRIES);
        assertThat(timing.sleeps).hasSize(Transport.GET_RETRIES).containsOnly(Duration.ofSeconds(3));
    }

    @Test
    void post_answered503_isNotRetried() {
        script.put("POST /api/v1/jobs", List.of(new Reply(503, "{\"error\":{\"code\":\"BUSY\",\"message\":\"too many bodies\"}}",
                "application/json", "7")));

        assertThatThrownBy(() -> client().submit("{\"app\":\"noop\",\"input\":1}"))
                .isInstanceOfSatisfying(ServerBusyException.class, e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(7)));
        assertThat(hits("POST /api/v1/jobs")).isEqualTo(1);
        assertThat(timing.sleeps).isEmpty();
    }

    @Test
    void errorThatIsNotJson_keepsTheStatus() {
        script.put("GET /api/v1/workers", List.of(new Reply(500, "<html>oops</html>", "text/html", null)));

        assertThatThrownBy(() -> client().workers()).isInstanceOfSatisfying(EnjambreException.class, e -> {
            assertThat(e.status()).isEqualTo(500);
            assertThat(e.code()).isEqualTo("HTTP_500");
            assertThat(e.getMessage()).isEqualTo("HTTP 500");
            assertThat(e.field()).isEmpty();
        });
    }

    @Test
    void watch_withoutAnEventStream_fallsBackToPolling_untilCompleted() {
        script.put("GET /api/v1/jobs/j-1", List.of(Reply.json(200, RUNNING), Reply.json(200, RUNNING), Reply.json(200, COMPLETED)));
        List<Job> seen = new ArrayList<>();

        Job last = client().watch("j-1", Duration.ofMinutes(1), seen::add);

        assertThat(hits("GET /api/v1/events")).isEqualTo(1);
        assertThat(last.state()).isEqualTo(JobState.COMPLETED);
        assertThat(seen).extracting(Job::state).containsExactly(JobState.RUNNING, JobState.COMPLETED);
        assertThat(timing.sleeps).containsOnly(Duration.ofSeconds(1));
    }

    @Test
    void watch_streamThatKeepsEnding_isReconnectedAfterTheServersRetry_andTheJobReread() {
        script.put("GET /api/v1/jobs/j-1", List.of(Reply.json(200, RUNNING), Reply.json(200, COMPLETED)));
        script.put("GET /api/v1/events", List.of(new Reply(200, "retry: 700\n\nevent: stats\ndata: {}\n\n", "text/event-stream", null)));

        Job last = client().watch("j-1", Duration.ofMinutes(1), j -> { });

        assertThat(last.state()).isEqualTo(JobState.COMPLETED);
        assertThat(hits("GET /api/v1/events")).isGreaterThanOrEqualTo(2);
        assertThat(timing.sleeps).contains(Duration.ofMillis(700));
    }

    @Test
    void await_pastTheTimeout_throwsJobTimeout_withTheLastSnapshot() {
        script.put("GET /api/v1/jobs/j-1", List.of(Reply.json(200, RUNNING)));
        EnjambreClient polling = EnjambreClient.builder().url("http://127.0.0.1:" + server.getAddress().getPort())
                .events(false).timing(timing).build();

        assertThatThrownBy(() -> polling.await("j-1", Duration.ofSeconds(5))).isInstanceOfSatisfying(JobTimeoutException.class, e -> {
            assertThat(e.job().state()).isEqualTo(JobState.RUNNING);
            assertThat(e.getMessage()).isEqualTo("job j-1 is still RUNNING (50%) at the timeout");
        });
        assertThat(timing.sleeps).hasSize(5);
    }

    @Test
    void resultTo_connectionBreakingMidBody_raisesConnectionFailed_andLeavesNoFile(@TempDir Path dir) {
        script.put("GET /api/v1/jobs/j-1/result", List.of(new Reply(200, "x".repeat(100_000), "image/png;truncated", null)));
        Path file = dir.resolve("result.png");

        assertThatThrownBy(() -> client().resultTo("j-1", file)).isInstanceOf(ConnectionFailedException.class);
        assertThat(file).doesNotExist();
    }

    @Test
    void resultTo_aFileThatCannotBeWritten_saysSo(@TempDir Path dir) {
        script.put("GET /api/v1/jobs/j-1/result", List.of(new Reply(200, "{\"count\":1}", "application/json", null)));
        Path file = dir.resolve("no-such-dir").resolve("result.json");

        assertThatThrownBy(() -> client().resultTo("j-1", file)).isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("cannot write " + file);
    }

    @Test
    void closedClient_refusesCalls() {
        EnjambreClient c = client();
        c.close();
        assertThatThrownBy(c::jobs).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void builder_refusesAUrlThatIsNotHttp() {
        assertThatThrownBy(() -> EnjambreClient.builder().url("ftp://127.0.0.1:1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must start with http:// or https://");
        assertThatThrownBy(() -> EnjambreClient.builder().build()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void unreachableCoordinator_raisesConnectionFailed() {
        int port = LocalSwarm.freePort();
        EnjambreClient c = EnjambreClient.builder().url("http://127.0.0.1:" + port).build();
        assertThatThrownBy(c::jobs).isInstanceOfSatisfying(ConnectionFailedException.class, e -> {
            assertThat(e.status()).isZero();
            assertThat(e.getMessage()).isEqualTo("cannot reach the coordinator at http://127.0.0.1:" + port);
        });
    }
}
