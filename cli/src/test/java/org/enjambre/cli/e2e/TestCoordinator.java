package org.enjambre.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.CoordinatorOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Test support: a real coordinator peer on 127.0.0.1 with its own cluster name, data directory and
 * ports, that can be stopped and started again on the same data directory and port (or on a wiped
 * one), and plain HTTP calls against its REST API.
 */
public final class TestCoordinator implements AutoCloseable {
    public static final String KEY = "e2e-api-key-0123456789";
    public static final ObjectMapper JSON = new ObjectMapper();
    /** How long anything in these tests may take to happen; generous, since the build machine is shared. */
    public static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final Set<String> TERMINAL = Set.of("COMPLETED", "FAILED", "CANCELLED");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path dataDir;
    private final String cluster = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    private final int clusterPort = freePort();
    private UnaryOperator<CoordinatorOptions> tweak;
    private int port;
    private Coordinator coordinator;

    private TestCoordinator(Path dataDir, UnaryOperator<CoordinatorOptions> tweak) {
        this.dataDir = dataDir;
        this.tweak = tweak;
    }

    /** Starts a coordinator keeping its data in {@code dataDir}, on a free port. */
    public static TestCoordinator start(Path dataDir) {
        return start(dataDir, o -> o);
    }

    /** Starts a coordinator whose options {@code tweak} adjusts (e.g. a low fetch rate limit). */
    public static TestCoordinator start(Path dataDir, UnaryOperator<CoordinatorOptions> tweak) {
        TestCoordinator c = new TestCoordinator(dataDir, tweak);
        c.startAgain();
        return c;
    }

    /** A port on 127.0.0.1 where nothing listens now: {@link org.enjambre.coordinator.Harness#freePort()}'s rule. */
    public static int freePort() {
        return org.enjambre.coordinator.Harness.freePort();
    }

    /** A coordinator URL on 127.0.0.1 that refuses connections. */
    public static String deadUrl() {
        return "http://127.0.0.1:" + freePort();
    }

    /** Starts the coordinator again on the same data directory and port, after {@link #stop()}. */
    public void startAgain() {
        startOn(dataDir);
    }

    /** As {@link #startAgain()}, with options {@code tweak} adjusts from now on (e.g. a larger data quota). */
    public void startAgain(UnaryOperator<CoordinatorOptions> tweak) {
        this.tweak = tweak;
        startOn(dataDir);
    }

    /** Starts the coordinator again on the same port but on an empty data directory, as if its storage had been wiped. */
    public void startWiped(Path emptyDataDir) {
        startOn(emptyDataDir);
    }

    private void startOn(Path dir) {
        if (coordinator != null) {
            throw new IllegalStateException("the coordinator is running; stop it first");
        }
        CoordinatorOptions options = CoordinatorOptions.builder(dir).host("127.0.0.1").port(port).apiKey(KEY)
                .cluster(cluster, null).clusterPort(clusterPort).allowSameHost(true).deadlineCheckMillis(50);
        coordinator = Coordinator.start(tweak.apply(options));
        port = coordinator.port();
    }

    /** Stops the coordinator gracefully (its port refuses connections afterwards). */
    public void stop() {
        if (coordinator != null) {
            coordinator.close();
            coordinator = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** A response of the API. */
    public record Response(int status, byte[] bytes, HttpHeaders headers) {
        public String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            try {
                return JSON.readTree(bytes);
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + body(), e);
            }
        }
    }

    /** One call with the admin key; {@code body} is JSON text or {@code null}. */
    public Response call(String method, String path, String body) {
        return send(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8), "application/json", KEY);
    }

    /** One call with raw bytes, e.g. a module upload. */
    public Response send(String method, String path, byte[] body, String contentType, String bearer) {
        return send(url(), method, path, body, contentType, bearer);
    }

    /** One call to the peer at {@code url}. */
    public static Response send(String url, String method, String path, byte[] body, String contentType, String bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (body != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Submits a job spec; returns its id. */
    public String submit(String spec) {
        Response r = call("POST", "/api/v1/jobs", spec);
        assertThat(r.status()).as("submit %s: %s", spec, r.body()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    public JsonNode job(String id) {
        Response r = call("GET", "/api/v1/jobs/" + id, null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    /** Every unit of a job, with its replicas. */
    public List<JsonNode> units(String id) {
        List<JsonNode> all = new ArrayList<>();
        for (int from = 0; ; from += 1000) {
            JsonNode page = call("GET", "/api/v1/jobs/" + id + "/units?from=" + from + "&limit=1000", null).json();
            page.get("units").forEach(all::add);
            if (all.size() >= page.get("total").asInt() || page.get("units").isEmpty()) {
                return all;
            }
        }
    }

    /** The workers the coordinator knows, by the public view. */
    public List<JsonNode> workers() {
        List<JsonNode> all = new ArrayList<>();
        call("GET", "/api/v1/workers", null).json().get("workers").forEach(all::add);
        return all;
    }

    public JsonNode worker(String id) {
        return workers().stream().filter(w -> w.get("id").asText().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no worker " + id + " in " + workers()));
    }

    /** Waits until the job ended and checks it ended in {@code state}; returns its view. */
    public JsonNode awaitJob(String id, String state) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(PATIENCE).until(() -> {
            last[0] = job(id);
            return TERMINAL.contains(last[0].get("state").asText());
        });
        assertThat(last[0].get("state").asText()).as("job %s: %s", id, last[0]).isEqualTo(state);
        return last[0];
    }

    /** The merged result of a completed job, as text. */
    public String result(String id) {
        Response r = call("GET", "/api/v1/jobs/" + id + "/result", null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    /** Cancels every job that has not ended, so that the next test starts with no work left over. */
    public void cancelUnfinished() {
        if (coordinator == null) {
            return;
        }
        for (JsonNode j : call("GET", "/api/v1/jobs", null).json().get("jobs")) {
            if (!TERMINAL.contains(j.get("state").asText())) {
                call("DELETE", "/api/v1/jobs/" + j.get("id").asText(), null);
            }
        }
    }

    /** How many requests this peer answered on {@code route} with {@code status}, from its Prometheus metrics. */
    public long requests(String method, String route, int status) {
        return requests(url(), method, route, status);
    }

    /** How many requests the peer at {@code url} answered on {@code route} with {@code status}, from its metrics. */
    public static long requests(String url, String method, String route, int status) {
        String text = send(url, "GET", "/metrics", null, null, null).body();
        long n = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("enjambre_http_requests_seconds_count{") && line.contains("method=\"" + method + "\"")
                    && line.contains("route=\"" + route + "\"") && line.contains("status=\"" + status + "\"")) {
                n += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return n;
    }
}
