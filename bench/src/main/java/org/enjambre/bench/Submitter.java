package org.enjambre.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The submitter's side of the REST API (jobs, results) with the API key: over java.net.http (what the Java client and
 * the CLI use; any thread), or over one blocking HTTP/1.1 connection, as curl or Python's http.client talk
 * ({@link #blocking}; one thread at a time).
 */
final class Submitter {
    private final HttpClient http;
    private final Http1Connection connection;
    private final String base;
    private final String apiKey;

    Submitter(String base, String apiKey) {
        this(base, apiKey, false);
    }

    private Submitter(String base, String apiKey, boolean blocking) {
        this.base = base;
        this.apiKey = apiKey;
        this.http = blocking ? null : WorkerClient.newHttp();
        this.connection = blocking ? new Http1Connection(base) : null;
    }

    /** A submitter over one blocking keep-alive connection, for one thread. */
    static Submitter blocking(String base, String apiKey) {
        return new Submitter(base, apiKey, true);
    }

    /** A noop job spec: {@code units} work units, each returning its input, with the given redundancy. */
    static String noopJob(String name, int units, int replicas, int quorum) {
        return "{\"name\":\"" + name + "\",\"app\":\"noop\",\"input\":\"x\",\"workUnits\":" + units
                + ",\"redundancy\":{\"replicas\":" + replicas + ",\"quorum\":" + quorum + "}}";
    }

    /** Submits a job; returns its id once it was accepted (201). */
    String submit(String spec) {
        WorkerClient.Reply r = send("POST", "/api/v1/jobs", spec);
        if (r.status() != 201) {
            throw new IllegalStateException("the job was not accepted: " + r.status() + " " + r.body());
        }
        return r.json().get("id").asText();
    }

    /** The merged result of a completed job, as text. */
    String result(String jobId) {
        WorkerClient.Reply r = send("GET", "/api/v1/jobs/" + jobId + "/result", null);
        if (r.status() != 200) {
            throw new IllegalStateException("no result for job " + jobId + ": " + r.status() + " " + r.body());
        }
        return r.body();
    }

    /** A GET answered as plain text (e.g. {@code /metrics}). */
    String text(String path) {
        WorkerClient.Reply r = send("GET", path, null);
        if (r.status() != 200) {
            throw new IllegalStateException("GET " + path + ": " + r.status() + " " + r.body());
        }
        return r.body();
    }

    JsonNode get(String path) {
        WorkerClient.Reply r = send("GET", path, null);
        if (r.status() != 200) {
            throw new IllegalStateException("GET " + path + ": " + r.status() + " " + r.body());
        }
        return r.json();
    }

    private WorkerClient.Reply send(String method, String path, String body) {
        if (connection != null) {
            return connection.request(method, path, apiKey, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5))
                .header("Authorization", "Bearer " + apiKey);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new WorkerClient.Reply(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + path, e);
        }
    }
}
