package org.enjambre.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** The worker protocol over java.net.http (HTTP/1.1, keep-alive): register, fetch, report. */
final class WorkerClient {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A registered worker's id and bearer token. */
    record Identity(String workerId, String token) {
    }

    /** A status and a body. */
    record Reply(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (status " + status + "): " + body, e);
            }
        }
    }

    private final HttpClient http;
    private final String base;

    WorkerClient(HttpClient http, String base) {
        this.http = http;
        this.base = base;
    }

    static HttpClient newHttp() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();
    }

    static String registration(String name) {
        return "{\"name\":\"" + name + "\",\"platform\":\"bench/sim\",\"cores\":1,\"memoryMb\":1024,\"apps\":[\"noop\"]}";
    }

    static String fetchBody(int max, long waitMs) {
        return "{\"max\":" + max + ",\"waitMs\":" + waitMs + "}";
    }

    HttpRequest request(String path, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b.build();
    }

    Reply post(String path, String token, String body) {
        try {
            HttpResponse<String> r = http.send(request(path, token, body), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("POST " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during POST " + path, e);
        }
    }

    CompletableFuture<Reply> postAsync(String path, String token, String body) {
        return http.sendAsync(request(path, token, body), HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> new Reply(r.statusCode(), r.body()));
    }

    static Identity identity(Reply r) {
        if (r.status() != 201) {
            throw new IllegalStateException("registration failed: " + r.status() + " " + r.body());
        }
        JsonNode n = r.json();
        return new Identity(n.get("workerId").asText(), n.get("token").asText());
    }

    Identity register(String name) {
        return identity(post("/api/v1/workers/register", null, registration(name)));
    }

    /** A report body with one result per task: the output, base64, as the app computed it. */
    static String reportBody(JsonNode tasks, java.util.function.Function<JsonNode, String> outputBase64) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode results = root.putArray("results");
        for (JsonNode t : tasks) {
            results.addObject().put("id", t.get("id").asText()).put("output", outputBase64.apply(t));
        }
        return root.toString();
    }
}
