package org.enjambre.worker.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.enjambre.worker.testkit.FakeClock;
import org.enjambre.worker.testkit.FakeCoordinator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CoordinatorClientTest {
    private static final RegisterRequest REGISTER = new RegisterRequest("box", "linux/amd64", 2, 1024, List.of("noop"), null, null);
    private final FakeClock clock = new FakeClock(Instant.parse("2026-11-25T07:00:00Z"));
    private FakeCoordinator coordinator;
    private HttpServer raw;

    @AfterEach
    void tearDown() {
        if (coordinator != null) {
            coordinator.close();
        }
        if (raw != null) {
            raw.stop(0);
        }
    }

    private CoordinatorClient client(String... urls) {
        return new CoordinatorClient(java.util.Arrays.stream(urls).map(URI::create).toList(), Duration.ofSeconds(5), clock);
    }

    @Test
    void register_firstUrlRefusesConnections_failsOverToTheSecond() throws Exception {
        coordinator = FakeCoordinator.start();
        String dead = FakeCoordinator.deadUrl();
        CoordinatorClient client = client(dead, coordinator.url());

        assertThatThrownBy(() -> client.register(REGISTER))
                .isInstanceOf(CoordinatorUnavailableException.class)
                .hasMessageStartingWith(dead + " did not answer POST /api/v1/workers/register");
        assertThat(client.current()).isEqualTo(coordinator.uri());
        assertThat(client.register(REGISTER).workerId()).isEqualTo("w-1");
    }

    @Test
    void fetchAndReport_speakTheWireFormat() throws Exception {
        coordinator = FakeCoordinator.start();
        CoordinatorClient client = client(coordinator.url());
        String token = client.register(REGISTER).token();
        coordinator.addTask("j-1/0/0", "noop", "0".getBytes(), 1_795_000_000_000L, null);

        List<AssignedTask> tasks = client.fetch(token, 4, Duration.ofMillis(100));
        assertThat(tasks).singleElement().satisfies(t -> {
            assertThat(t.id()).isEqualTo("j-1/0/0");
            assertThat(t.input()).isEqualTo("0".getBytes());
            assertThat(t.deadlineEpochMillis()).isEqualTo(1_795_000_000_000L);
            assertThat(t.problem()).isNull();
        });
        ReportAck ack = client.report(token, List.of(new ReportItem("j-1/0/0", "0".getBytes(), null),
                new ReportItem("j-9/0/0", null, "OutOfMemoryError")), Duration.ofSeconds(5));
        assertThat(ack.accepted()).containsExactly("j-1/0/0");
        assertThat(ack.rejected()).singleElement().satisfies(r -> {
            assertThat(r.code()).isEqualTo("NOT_YOURS");
            assertThat(r.isFinal()).isTrue();
        });
        assertThat(coordinator.outputs().get("j-1/0/0")).isEqualTo("0".getBytes());
    }

    @Test
    void fetch_emptyQueue_longPollsThenAnswersNoTasks() throws Exception {
        coordinator = FakeCoordinator.start();
        CoordinatorClient client = client(coordinator.url());
        String token = client.register(REGISTER).token();
        long start = System.nanoTime();
        assertThat(client.fetch(token, 1, Duration.ofMillis(300))).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
    }

    @Test
    void unknownToken_isUnauthorized() throws Exception {
        coordinator = FakeCoordinator.start();
        CoordinatorClient client = client(coordinator.url());
        assertThatThrownBy(() -> client.fetch("nobody", 1, Duration.ZERO))
                .isInstanceOf(UnauthorizedException.class)
                .hasMessageContaining("answered 401 UNAUTHENTICATED: unknown worker token");
    }

    @Test
    void serverError_isUnavailableAndFailsOver_tooManyRequests_keepsTheUrl() throws Exception {
        coordinator = FakeCoordinator.start();
        FakeCoordinator second = FakeCoordinator.start();
        try {
            CoordinatorClient client = client(coordinator.url(), second.url());
            coordinator.down(429, "7");
            assertThatThrownBy(() -> client.register(REGISTER))
                    .isInstanceOfSatisfying(CoordinatorUnavailableException.class,
                            e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(7)));
            assertThat(client.current()).isEqualTo(coordinator.uri());

            coordinator.down(503, null);
            assertThatThrownBy(() -> client.register(REGISTER)).isInstanceOf(CoordinatorUnavailableException.class)
                    .hasMessageContaining("answered 503");
            assertThat(client.current()).isEqualTo(second.uri());
        } finally {
            second.close();
        }
    }

    @Test
    void missingBlob_isRejectedWithItsCode() throws Exception {
        coordinator = FakeCoordinator.start();
        CoordinatorClient client = client(coordinator.url());
        String token = client.register(REGISTER).token();
        assertThatThrownBy(() -> client.blob(token, "0".repeat(64)))
                .isInstanceOfSatisfying(RequestRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.code()).isEqualTo("NOT_FOUND");
                });
    }

    @Test
    void credit_isReadFromTheWorkersView() throws Exception {
        coordinator = FakeCoordinator.start();
        CoordinatorClient client = client(coordinator.url());
        String id = client.register(REGISTER).workerId();
        assertThat(client.credit(id, Duration.ofSeconds(5))).hasValue(12.5);
        assertThat(client.credit("w-404", Duration.ofSeconds(5))).isEmpty();
    }

    @Test
    void garbageBody_isUnavailable() throws Exception {
        raw = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        raw.createContext("/", exchange -> {
            byte[] body = "<html>proxy error</html>".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        raw.start();
        CoordinatorClient client = client("http://127.0.0.1:" + raw.getAddress().getPort());
        assertThatThrownBy(() -> client.register(REGISTER)).isInstanceOf(CoordinatorUnavailableException.class)
                .hasMessageContaining("unreadable answer");
    }

    @Test
    void requests_carryTheTokenAndOmitNullFields() throws Exception {
        AtomicReference<String> auth = new AtomicReference<>();
        AtomicReference<JsonNode> body = new AtomicReference<>();
        raw = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        raw.createContext("/", exchange -> {
            auth.set(exchange.getRequestHeaders().getFirst("Authorization"));
            body.set(new ObjectMapper().readTree(exchange.getRequestBody()));
            byte[] answer = "{\"accepted\":[],\"rejected\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        raw.start();
        CoordinatorClient client = client("http://127.0.0.1:" + raw.getAddress().getPort() + "/");
        client.report("secret", List.of(new ReportItem("j/1/0", new byte[] {1, 2}, null), new ReportItem("j/2/0", null, "boom")),
                Duration.ofSeconds(5));
        assertThat(auth.get()).isEqualTo("Bearer secret");
        assertThat(body.get().toString())
                .isEqualTo("{\"results\":[{\"id\":\"j/1/0\",\"output\":\"AQI=\"},{\"id\":\"j/2/0\",\"error\":\"boom\"}]}");
    }

    @Test
    void retryAfter_acceptsSecondsAndHttpDates() throws IOException {
        CoordinatorClient client = client("http://127.0.0.1:1");
        assertThat(client.retryAfter(Optional.of("12"))).isEqualTo(Duration.ofSeconds(12));
        assertThat(client.retryAfter(Optional.of("Wed, 25 Nov 2026 07:00:30 GMT"))).isEqualTo(Duration.ofSeconds(30));
        assertThat(client.retryAfter(Optional.of("99999"))).isEqualTo(CoordinatorClient.MAX_RETRY_AFTER);
        assertThat(client.retryAfter(Optional.of("soon"))).isNull();
        assertThat(client.retryAfter(Optional.empty())).isNull();
    }
}
