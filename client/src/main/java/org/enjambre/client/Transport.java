package org.enjambre.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * HTTP to one coordinator: requests with the API key, answers checked, error bodies turned into the typed
 * exceptions, and a bounded retry of idempotent GETs that the server answered 429 or 503 (after its
 * {@code Retry-After}). Thread-safe: {@link HttpClient} is, and the rest is immutable.
 */
final class Transport {
    /** How many times a GET answered 429/503 is sent again. */
    static final int GET_RETRIES = 3;
    /** The longest single wait for a {@code Retry-After}; a longer hint fails the call instead. */
    static final Duration MAX_RETRY_WAIT = Duration.ofSeconds(30);
    /** Error bodies are read up to this size. */
    private static final int MAX_ERROR_BYTES = 64 * 1024;

    /** An answer with status 2xx whose body is still to be read (and closed). */
    record Answer(int status, HttpHeaders headers, InputStream body) {
        String contentType() {
            return headers.firstValue("Content-Type").orElse("application/octet-stream");
        }
    }

    private final HttpClient http;
    private final String base;
    private final String apiKey;
    private final Duration timeout;
    private final Timing timing;

    Transport(HttpClient http, URI base, String apiKey, Duration timeout, Timing timing) {
        String b = base.toString();
        this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
        this.http = http;
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.timing = timing;
    }

    String base() {
        return base;
    }

    /** A JSON call: the answer's tree. */
    JsonNode json(String method, String path, byte[] body, String contentType) {
        try (InputStream in = call(method, path, body, contentType, "application/json").body()) {
            return Json.parse(in.readAllBytes(), "an answer");
        } catch (IOException e) {
            throw broken(e);
        }
    }

    /** A successful answer whose body the caller reads and closes; error statuses are thrown. */
    Answer call(String method, String path, byte[] body, String contentType, String accept) {
        for (int attempt = 0; ; attempt++) {
            HttpResponse<InputStream> r = send(request(method, path, body, contentType, accept, timeout));
            if (r.statusCode() < 400) {
                return new Answer(r.statusCode(), r.headers(), r.body());
            }
            EnjambreException e = error(r);
            if (method.equals("GET") && e instanceof ServerBusyException busy && attempt < GET_RETRIES) {
                Duration wait = busy.retryAfter().orElse(Duration.ofSeconds(1));
                if (wait.compareTo(MAX_RETRY_WAIT) <= 0) {
                    pause(wait);
                    continue;
                }
            }
            throw e;
        }
    }

    /**
     * Opens the event stream ({@code GET /api/v1/events}).
     *
     * @throws EnjambreException the typed error when the server refused it; code {@code NO_EVENT_STREAM} when it
     *                           answered something else than {@code text/event-stream}
     */
    EventStream events() {
        HttpResponse<EventStream> r;
        try {
            r = http.send(request("GET", "/api/v1/events", null, null, "text/event-stream", timeout), EventStream.handler());
        } catch (IOException e) {
            throw broken(e);
        } catch (InterruptedException e) {
            throw interrupted(e, "talking to " + base);
        }
        EventStream stream = r.body();
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (r.statusCode() == 200 && type.startsWith("text/event-stream")) {
            return stream;
        }
        try (stream) {
            if (r.statusCode() >= 400) {
                byte[] body = stream.rest(Duration.ofSeconds(5)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                throw Errors.of(r.statusCode(), body, r.headers().firstValue("Retry-After"));
            }
        } catch (IOException e) {
            throw Errors.of(r.statusCode(), new byte[0], r.headers().firstValue("Retry-After"));
        } catch (InterruptedException e) {
            throw interrupted(e, "talking to " + base);
        }
        throw new EnjambreException(r.statusCode(), "NO_EVENT_STREAM", "the coordinator at " + base
                + " answered the event stream with " + r.statusCode() + " " + type, null);
    }

    /** A request to {@code path} with the key and headers; {@code body} null for none. */
    HttpRequest request(String method, String path, byte[] body, String contentType, String accept, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Accept", accept).header("User-Agent", "enjambre-client-java");
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return b.build();
    }

    private HttpResponse<InputStream> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw broken(e);
        } catch (InterruptedException e) {
            throw interrupted(e, "talking to " + base);
        }
    }

    /** An I/O failure as the client reports it: refused, timed out, or broken. */
    ConnectionFailedException broken(IOException e) {
        if (e instanceof ConnectException) {
            return new ConnectionFailedException(0, "UNREACHABLE", "cannot reach the coordinator at " + base, null, e);
        }
        if (e instanceof HttpTimeoutException) {
            return new ConnectionFailedException(0, "TIMEOUT", "the coordinator at " + base + " did not answer in time", null, e);
        }
        return new ConnectionFailedException(0, "CONNECTION_FAILED", "talking to " + base + " failed: " + e.getMessage(), null, e);
    }

    /** Waits before a retry; an interrupt ends the call. */
    void pause(Duration wait) {
        try {
            timing.sleep(wait);
        } catch (InterruptedException e) {
            throw interrupted(e, "waiting to retry " + base);
        }
    }

    /** An interrupt as the client reports it; the thread's interrupt flag is set again. */
    static ConnectionFailedException interrupted(InterruptedException e, String doing) {
        Thread.currentThread().interrupt();
        return new ConnectionFailedException(0, "INTERRUPTED", "interrupted while " + doing, null, e);
    }

    private EnjambreException error(HttpResponse<InputStream> r) {
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readNBytes(MAX_ERROR_BYTES);
        } catch (IOException e) {
            body = new byte[0];
        }
        return Errors.of(r.statusCode(), body, r.headers().firstValue("Retry-After"));
    }

    /** Error answers as exceptions, by status. */
    static final class Errors {
        private Errors() {
        }

        /** The typed exception for an error answer, from its {@code {"error":{...}}} body when it has one. */
        static EnjambreException of(int status, byte[] body, Optional<String> retryAfter) {
            String code = "HTTP_" + status;
            String message = "HTTP " + status;
            String field = null;
            try {
                JsonNode err = Json.MAPPER.readTree(body).path("error");
                if (err.hasNonNull("message")) {
                    message = err.get("message").asText();
                }
                if (err.hasNonNull("code")) {
                    code = err.get("code").asText();
                }
                if (err.hasNonNull("field")) {
                    field = err.get("field").asText();
                }
            } catch (IOException | RuntimeException e) {
                // not JSON: keep the status line
            }
            return switch (status) {
                case 400 -> new BadRequestException(status, code, message, field, null);
                case 401, 403 -> new UnauthorizedException(status, code, message, field, null);
                case 404 -> new NotFoundException(status, code, message, field, null);
                case 409 -> new ConflictException(status, code, message, field, null);
                case 429, 503 -> new ServerBusyException(status, code, message, field, seconds(retryAfter));
                default -> new EnjambreException(status, code, message, field);
            };
        }

        /** A {@code Retry-After} in seconds; null when absent or not a number of seconds (an HTTP date is not honoured). */
        private static Duration seconds(Optional<String> header) {
            try {
                return header.map(h -> Duration.ofSeconds(Math.max(0, Long.parseLong(h.trim())))).orElse(null);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }
}
