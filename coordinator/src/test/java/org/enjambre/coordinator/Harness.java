package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.store.Json;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** Test support: free ports, a coordinator on loopback, and plain HTTP calls against it. */
public final class Harness {
    public static final String KEY = "test-api-key-0123456789";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Harness() {
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Options for a lone test peer on loopback with its own cluster name. */
    public static CoordinatorOptions options(Path dataDir) {
        return CoordinatorOptions.builder(dataDir).host("127.0.0.1").port(0).apiKey(KEY)
                .cluster("test-" + java.util.UUID.randomUUID().toString().substring(0, 8), null)
                .clusterPort(freePort()).allowSameHost(true).deadlineCheckMillis(50);
    }

    /** A response: status, body text, and the body as JSON when it is JSON. */
    public record Response(int status, String body, java.net.http.HttpHeaders headers) {
        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    public static Response call(String method, String url, String key, String body) {
        return call(method, url, key, body, Duration.ofSeconds(60));
    }

    /** A call that gives up after {@code timeout}; an I/O failure is an {@link IllegalStateException}. */
    public static Response call(String method, String url, String key, String body, Duration timeout) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout);
            if (key != null) {
                b.header("Authorization", "Bearer " + key);
            }
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + url + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static HttpResponse<byte[]> bytes(String url, String key) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
            if (key != null) {
                b.header("Authorization", "Bearer " + key);
            }
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
