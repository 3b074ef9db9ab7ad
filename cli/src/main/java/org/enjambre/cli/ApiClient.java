package org.enjambre.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.enjambre.workunits.text.Printable;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A small client of the REST API v1, for the CLI's client commands. */
final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String DEFAULT_URL = "http://127.0.0.1:8080";

    /**
     * A string field of a server's answer, safe to print: control characters (ANSI escapes, say, in a
     * job name stored by an older coordinator) and bidirectional overrides are written as backslash-u escapes.
     */
    static String text(JsonNode n, String field) {
        return Printable.escape(n.path(field).asText());
    }

    /** Server text of several lines (a result, pretty JSON), safe to print: as {@link #text}, keeping newlines and tabs. */
    static String lines(String s) {
        return Printable.escapeKeepingLines(s);
    }

    /** The API answered with an error; the message is the server's (escaped for printing). */
    static final class ApiError extends Exception {
        final int status;

        ApiError(int status, String message) {
            super(Printable.escape(message));
            this.status = status;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String key;

    ApiClient(String base, String key) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.key = key;
    }

    /** The coordinator URL: the option, then ENJAMBRE_COORDINATOR, then the local default. */
    static String url(String option) {
        if (option != null) {
            return option;
        }
        String env = System.getenv("ENJAMBRE_COORDINATOR");
        return env != null && !env.isBlank() ? env : DEFAULT_URL;
    }

    /** The API key: the option, then ENJAMBRE_API_KEY, then a local coordinator's key file. */
    static String key(String option, Path dataDir) {
        if (option != null) {
            return option;
        }
        String env = System.getenv("ENJAMBRE_API_KEY");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        Path file = (dataDir != null ? dataDir : CoordinatorCommand.defaultDataDir()).resolve("api-key");
        try {
            return Files.exists(file) ? Files.readString(file).trim() : null;
        } catch (IOException e) {
            return null;
        }
    }

    JsonNode get(String path) throws ApiError {
        return json(send("GET", path, null));
    }

    JsonNode post(String path, String body) throws ApiError {
        return json(send("POST", path, body));
    }

    JsonNode postBytes(String path, byte[] body, String contentType) throws ApiError {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        try {
            return json(http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray()));
        } catch (ConnectException e) {
            throw new ApiError(0, "cannot reach the coordinator at " + base);
        } catch (IOException e) {
            throw new ApiError(0, "talking to " + base + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(0, "interrupted");
        }
    }

    JsonNode delete(String path) throws ApiError {
        return json(send("DELETE", path, null));
    }

    HttpResponse<byte[]> raw(String path) throws ApiError {
        HttpResponse<byte[]> r = send("GET", path, null);
        check(r);
        return r;
    }

    private HttpResponse<byte[]> send(String method, String path, String body) throws ApiError {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new ApiError(0, "cannot reach the coordinator at " + base + " (is it running? set --coordinator or ENJAMBRE_COORDINATOR)");
        } catch (IOException e) {
            throw new ApiError(0, "talking to " + base + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(0, "interrupted");
        }
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws ApiError {
        check(r);
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new ApiError(r.statusCode(), "the coordinator sent something that is not JSON");
        }
    }

    private static void check(HttpResponse<byte[]> r) throws ApiError {
        if (r.statusCode() >= 400) {
            String message = "HTTP " + r.statusCode();
            try {
                JsonNode n = JSON.readTree(r.body());
                JsonNode err = n.path("error");
                if (err.has("message")) {
                    message = err.get("message").asText() + (err.has("field") ? " (field " + err.get("field").asText() + ")" : "");
                }
            } catch (IOException e) {
                // keep the status line
            }
            throw new ApiError(r.statusCode(), message);
        }
    }
}
