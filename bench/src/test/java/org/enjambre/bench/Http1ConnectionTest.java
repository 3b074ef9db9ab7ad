package org.enjambre.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The simulated workers' HTTP/1.1 client against a real Vert.x server (what the coordinator runs). */
class Http1ConnectionTest {
    private Vertx vertx;
    private HttpServer server;
    private final Set<String> clients = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            clients.add(req.connection().remoteAddress().toString());
            String answer = "{\"method\":\"" + req.method() + "\",\"path\":\"" + req.path() + "\",\"auth\":\""
                    + req.getHeader("Authorization") + "\",\"body\":" + (body.length() == 0 ? "null" : body.toString(StandardCharsets.UTF_8)) + "}";
            switch (req.path()) {
                case "/chunked" -> {
                    req.response().setChunked(true);
                    req.response().write(answer.substring(0, 5));
                    req.response().end(answer.substring(5));
                }
                case "/close" -> req.response().putHeader("Connection", "close").end(answer);
                case "/missing" -> req.response().setStatusCode(404).end("{\"error\":\"none\"}");
                default -> req.response().end(answer);
            }
        })).listen(0, "127.0.0.1").await(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    @Test
    void answersFramedByLengthOrChunks_onOneKeptAliveConnection() {
        try (Http1Connection c = new Http1Connection("http://127.0.0.1:" + server.actualPort())) {
            WorkerClient.Reply fixed = c.post("/fetch", "w1.secret", "{\"max\":16}".getBytes(StandardCharsets.UTF_8));
            assertThat(fixed.status()).isEqualTo(200);
            assertThat(fixed.json().get("auth").asText()).isEqualTo("Bearer w1.secret");
            assertThat(fixed.json().at("/body/max").asInt()).isEqualTo(16);

            WorkerClient.Reply chunked = c.post("/chunked", null, "{\"results\":[]}".getBytes(StandardCharsets.UTF_8));
            assertThat(chunked.status()).isEqualTo(200);
            assertThat(chunked.json().get("path").asText()).isEqualTo("/chunked");
            assertThat(chunked.json().at("/body/results").isArray()).isTrue();

            WorkerClient.Reply missing = c.post("/missing", null, "{}".getBytes(StandardCharsets.UTF_8));
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.body()).isEqualTo("{\"error\":\"none\"}");
        }
        assertThat(clients).as("one connection for the three requests").hasSize(1);
    }

    /** The latency probe's requests: a GET without a body, then a POST, on the same connection. */
    @Test
    void aRequestWithoutBody_sendsNoBodyHeaders_andKeepsTheConnection() {
        try (Http1Connection c = new Http1Connection("http://127.0.0.1:" + server.actualPort())) {
            WorkerClient.Reply get = c.request("GET", "/jobs/j-1/result", "key", null);
            assertThat(get.status()).isEqualTo(200);
            assertThat(get.json().get("method").asText()).isEqualTo("GET");
            assertThat(get.json().get("auth").asText()).isEqualTo("Bearer key");
            assertThat(get.json().get("body").isNull()).isTrue();
            WorkerClient.Reply post = c.request("POST", "/jobs", "key", "{\"n\":1}".getBytes(StandardCharsets.UTF_8));
            assertThat(post.json().get("method").asText()).isEqualTo("POST");
            assertThat(post.json().at("/body/n").asInt()).isEqualTo(1);
        }
        assertThat(clients).as("one connection for both").hasSize(1);
    }

    @Test
    void aConnectionTheServerCloses_isOpenedAgainForTheNextRequest() {
        try (Http1Connection c = new Http1Connection("http://127.0.0.1:" + server.actualPort())) {
            assertThat(c.post("/close", null, "{}".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(200);
            WorkerClient.Reply after = c.post("/fetch", null, "{\"n\":2}".getBytes(StandardCharsets.UTF_8));
            assertThat(after.json().at("/body/n").asInt()).isEqualTo(2);
        }
        assertThat(clients).hasSize(2);
    }

    @Test
    void aUrlWithoutPort_isRefusedByName() {
        assertThatThrownBy(() -> new Http1Connection("http://127.0.0.1/")).hasMessageContaining("http://host:port");
    }
}
