package org.enjambre.worker.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.enjambre.worker.testkit.FakeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The protocol client against raw HTTP servers that answer what a real coordinator never would
 * (garbage, 503 from a proxy, malformed tasks), and the wire format of its requests. Its exchanges with
 * the real coordinator are tested end to end in the cli module.
 */
class CoordinatorClientTest {
    private static final RegisterRequest REGISTER = new RegisterRequest("box", "linux/amd64", 2, 1024, List.of("noop"), null, null);
    private final FakeClock clock = new FakeClock(Instant.parse("2026-11-25T07:00:00Z"));
    private final List<HttpServer> servers = new ArrayList<>();

    @AfterEach
    void tearDown() {
        servers.forEach(s -> s.stop(0));
    }

    private CoordinatorClient client(String... urls) {
        return new CoordinatorClient(java.util.Arrays.stream(urls).map(URI::create).toList(), Duration.ofSeconds(5), clock);
    }

    /** A server on 127.0.0.1 that answers every request with {@code status} and {@code body}; returns its URL. */
    private String server(int status, String body, AtomicReference<String> auth, AtomicReference<JsonNode> request) throws IOException {
        HttpServer raw = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        raw.createContext("/", exchange -> {
            if (auth != null) {
                auth.set(exchange.getRequestHeaders().getFirst("Authorization"));
            }
            byte[] in = exchange.getRequestBody().readAllBytes();
            if (request != null) {
                request.set(new ObjectMapper().readTree(in));
            }
            byte[] answer = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        raw.start();
        servers.add(raw);
        return "http://127.0.0.1:" + raw.getAddress().getPort();
    }

    @Test
    void serverError_isUnavailableAndFailsOverToTheNextUrl() throws Exception {
        String proxy = server(503, "<html>no upstream</html>", null, null);
        String next = server(201, "{\"workerId\":\"w-7\",\"token\":\"t\"}", null, null);
        CoordinatorClient client = client(proxy, next);
        assertThatThrownBy(() -> client.register(REGISTER)).isInstanceOf(CoordinatorUnavailableException.class)
                .hasMessage("POST /api/v1/workers/register at " + proxy + " answered 503");
        assertThat(client.current()).isEqualTo(URI.create(next));
        assertThat(client.register(REGISTER).workerId()).isEqualTo("w-7");
    }

    @Test
    void garbageBody_isUnavailable() throws Exception {
        CoordinatorClient client = client(server(200, "<html>proxy error</html>", null, null));
        assertThatThrownBy(() -> client.register(REGISTER)).isInstanceOf(CoordinatorUnavailableException.class)
                .hasMessageContaining("unreadable answer");
    }

    @Test
    void malformedTask_isParsedWithItsProblem() throws Exception {
        CoordinatorClient client = client(server(200, "{\"tasks\":[{\"id\":\"j-12/0/0\",\"app\":\"\",\"input\":\"MA==\"},"
                + "{\"id\":\"j-12/1/0\",\"app\":\"noop\",\"input\":\"MQ==\",\"blob\":\"../etc/passwd\"}]}", null, null));
        List<AssignedTask> tasks = client.fetch("token", 2, Duration.ZERO);
        assertThat(tasks).extracting(AssignedTask::problem).containsExactly("task j-12/0/0 names no app",
                "task j-12/1/0 names a blob that is not a lowercase sha256: ../etc/passwd");
    }

    @Test
    void fetch_answerWithABadTask_isUnreadable_namesIt_andFailsOver() throws Exception {
        String bad = server(200, "{\"tasks\":[{\"id\":\"j/1/0\",\"app\":\"noop\",\"input\":\"MA==\"},"
                + "{\"id\":\"j/2/0\",\"deadlineMillis\":123456789012345678901234567890}]}", null, null);
        String next = server(200, "{\"tasks\":[]}", null, null);
        CoordinatorClient client = client(bad, next);
        assertThatThrownBy(() -> client.fetch("t", 2, Duration.ZERO)).isInstanceOf(CoordinatorUnavailableException.class)
                .hasMessageContaining("unreadable answer").hasMessageContaining("tasks[1]: deadlineMillis is not a whole number in range");
        assertThat(client.current()).isEqualTo(URI.create(next));
        assertThat(client.fetch("t", 2, Duration.ZERO)).isEmpty();
    }

    @Test
    void requests_carryTheTokenAndOmitNullFields() throws Exception {
        AtomicReference<String> auth = new AtomicReference<>();
        AtomicReference<JsonNode> body = new AtomicReference<>();
        CoordinatorClient client = client(server(200, "{\"accepted\":[],\"rejected\":[]}", auth, body) + "/");
        client.report("secret", List.of(new ReportItem("j/1/0", new byte[] {1, 2}, null), new ReportItem("j/2/0", null, "boom")),
                Duration.ofSeconds(5));
        assertThat(auth.get()).isEqualTo("Bearer secret");
        assertThat(body.get().toString())
                .isEqualTo("{\"results\":[{\"id\":\"j/1/0\",\"output\":\"AQI=\"},{\"id\":\"j/2/0\",\"error\":\"boom\"}]}");
    }

    @Test
    void fetch_namesCachedFilesOnlyWhenThereAreAny() throws Exception {
        AtomicReference<JsonNode> body = new AtomicReference<>();
        CoordinatorClient client = client(server(200, "{\"tasks\":[]}", null, body));
        client.fetch("t", 3, Duration.ofMillis(20), List.of("a".repeat(64)));
        assertThat(body.get().toString()).isEqualTo("{\"max\":3,\"waitMs\":20,\"cachedFiles\":[\"" + "a".repeat(64) + "\"]}");
        client.fetch("t", 3, Duration.ofMillis(20), List.of());
        assertThat(body.get().toString()).as("an older coordinator's 4 KiB fetch limit still holds").isEqualTo("{\"max\":3,\"waitMs\":20}");
    }

    @Test
    void retryAfter_acceptsSecondsAndHttpDates() {
        CoordinatorClient client = client("http://127.0.0.1:1");
        assertThat(client.retryAfter(Optional.of("12"))).isEqualTo(Duration.ofSeconds(12));
        assertThat(client.retryAfter(Optional.of("Wed, 25 Nov 2026 07:00:30 GMT"))).isEqualTo(Duration.ofSeconds(30));
        assertThat(client.retryAfter(Optional.of("99999"))).isEqualTo(CoordinatorClient.MAX_RETRY_AFTER);
        assertThat(client.retryAfter(Optional.of("soon"))).isNull();
        assertThat(client.retryAfter(Optional.empty())).isNull();
    }

    @Test
    void sync_sendsTheHeldTaskIds_andReadsHowManyWereReleased() throws Exception {
        AtomicReference<JsonNode> request = new AtomicReference<>();
        AtomicReference<String> auth = new AtomicReference<>();
        CoordinatorClient client = client(server(200, "{\"released\":3}", auth, request));
        assertThat(client.sync("tok", List.of("j/1/0", "j/2/1"))).isEqualTo(3);
        assertThat(request.get().toString()).isEqualTo("{\"holding\":[\"j/1/0\",\"j/2/1\"]}");
        assertThat(auth.get()).isEqualTo("Bearer tok");
    }

    @Test
    void sync_atACoordinatorWithoutTheEndpoint_isRejectedWith404() throws Exception {
        CoordinatorClient client = client(server(404, "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"no route\"}}", null, null));
        assertThatThrownBy(() -> client.sync("tok", List.of())).isInstanceOfSatisfying(RequestRejectedException.class,
                e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> client.sync("tok", java.util.Collections.nCopies(CoordinatorClient.MAX_SYNC_IDS + 1, "x")))
                .hasMessageContaining("at most 4096");
    }
}
