package org.enjambre.worker.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Talks the worker protocol to a list of coordinator peers. Every call goes to the current URL; a
 * call that gets no usable answer (refused, timed out, 5xx) moves the current URL to the next one,
 * round-robin, and throws {@link CoordinatorUnavailableException}. A 429 keeps the URL (the peer is
 * alive, only busy). Waiting between retries is the caller's job (see {@link Backoff}).
 *
 * <p>Thread-safe: the fetch and report loops share one client.
 */
public final class CoordinatorClient {
    /** Longest {@code Retry-After} honoured; a longer one is cut to this. */
    static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);
    /** Most task ids one sync call may name. */
    public static final int MAX_SYNC_IDS = 4096;
    /** Most file ids one fetch may name as cached. */
    public static final int MAX_CACHED_FILES = 1000;
    private static final String JSON = "application/json";

    private final List<URI> urls;
    private final HttpClient http;
    private final ObjectMapper mapper;
    private final Duration requestTimeout;
    private final Clock clock;
    private final AtomicInteger current = new AtomicInteger();
    private volatile OutputFiles outputFiles;

    /**
     * @param urls           coordinator base URLs such as {@code http://127.0.0.1:8080}, at least one
     * @param requestTimeout how long a non-long-poll call may take
     */
    public CoordinatorClient(List<URI> urls, Duration requestTimeout, Clock clock) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("at least one coordinator URL is needed");
        }
        this.urls = List.copyOf(urls);
        this.requestTimeout = requestTimeout;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.mapper = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);
    }

    /** The URL calls go to now. */
    public URI current() {
        return urls.get(current.get());
    }

    public int urlCount() {
        return urls.size();
    }

    /** {@code POST /api/v1/workers/register}. */
    public Registration register(RegisterRequest request) throws CoordinatorException, InterruptedException {
        Registration registration = read(call("POST", "/api/v1/workers/register", null, request, requestTimeout), Registration.class);
        if (registration.workerId() == null || registration.workerId().isBlank()
                || registration.token() == null || registration.token().isBlank()) {
            throw new CoordinatorUnavailableException("registration answer from " + current() + " has no workerId or token", null, null);
        }
        return registration;
    }

    /** {@code POST /api/v1/work/fetch}: up to {@code max} tasks, waiting up to {@code wait} when none is ready. */
    public List<AssignedTask> fetch(String token, int max, Duration wait) throws CoordinatorException, InterruptedException {
        return fetch(token, max, wait, List.of());
    }

    /**
     * As above, naming the files this worker caches whole ({@code cachedFiles}, newest first, at most
     * {@link #MAX_CACHED_FILES}; none: the field is left out), so that units reading them come here first.
     */
    public List<AssignedTask> fetch(String token, int max, Duration wait, List<String> cachedFiles)
            throws CoordinatorException, InterruptedException {
        if (cachedFiles.size() > MAX_CACHED_FILES) {
            throw new IllegalArgumentException("a fetch names at most " + MAX_CACHED_FILES + " cached files, got " + cachedFiles.size());
        }
        FetchRequest body = new FetchRequest(max, wait.toMillis(), cachedFiles.isEmpty() ? null : cachedFiles);
        WireJson.FetchAnswer answer = decode(call("POST", "/api/v1/work/fetch", token, body, requestTimeout.plus(wait)),
                WireJson::readFetchAnswer);
        if (answer.outputFileBytes() != null && answer.chunkBytes() != null && answer.outputFileBytes() >= 0 && answer.chunkBytes() > 0) {
            outputFiles = new OutputFiles(answer.outputFileBytes(), answer.chunkBytes());
        }
        return answer.tasks() == null ? List.of() : answer.tasks();
    }

    /** {@code POST /api/v1/work/report} of a batch of results. */
    public ReportAck report(String token, List<ReportItem> results, Duration timeout) throws CoordinatorException, InterruptedException {
        return decode(call("POST", "/api/v1/work/report", token, new Json(WireJson.writeReport(results)), timeout),
                WireJson::readReportAck);
    }

    /**
     * {@code POST /api/v1/work/sync}: tells the coordinator every task this worker holds (at most
     * {@link #MAX_SYNC_IDS}); it releases this worker's other in-progress replicas and says how many.
     * A coordinator without the endpoint answers 404 ({@link RequestRejectedException}).
     */
    public int sync(String token, java.util.Collection<String> holding) throws CoordinatorException, InterruptedException {
        if (holding.size() > MAX_SYNC_IDS) {
            throw new IllegalArgumentException("a sync names at most " + MAX_SYNC_IDS + " tasks, got " + holding.size());
        }
        SyncAnswer answer = read(call("POST", "/api/v1/work/sync", token, new SyncRequest(List.copyOf(holding)), requestTimeout),
                SyncAnswer.class);
        return answer.released();
    }

    /**
     * {@code POST /api/v1/data/reports}: tells the coordinator that a sharer or a named peer sent a bad copy of a
     * chunk of a file ({@code kind}: {@code sharer} or {@code peer}).
     */
    public void reportBadSource(String token, String file, String chunk, String source, String kind, String reason)
            throws CoordinatorException, InterruptedException {
        java.util.Map<String, String> one = new java.util.LinkedHashMap<>();
        one.put("file", file);
        one.put("chunk", chunk);
        one.put("source", source);
        one.put("kind", kind);
        one.put("reason", reason.length() > 200 ? reason.substring(0, 200) : reason);
        call("POST", "/api/v1/data/reports", token, java.util.Map.of("reports", List.of(one)), requestTimeout);
    }

    /** {@code GET /api/v1/blobs/{sha256}}: the bytes, which the caller verifies against the hash. */
    public byte[] blob(String token, String sha256) throws CoordinatorException, InterruptedException {
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a lowercase sha256: " + sha256);
        }
        return call("GET", "/api/v1/blobs/" + sha256, token, null, requestTimeout.multipliedBy(4));
    }

    /**
     * This worker's credit from the public {@code GET /api/v1/workers} view; empty when the worker is
     * not listed.
     */
    public OptionalDouble credit(String workerId, Duration timeout) throws CoordinatorException, InterruptedException {
        JsonNode workers = read(call("GET", "/api/v1/workers", null, null, timeout), JsonNode.class).path("workers");
        for (JsonNode worker : workers) {
            if (workerId.equals(worker.path("id").asText()) && worker.path("credit").isNumber()) {
                return OptionalDouble.of(worker.path("credit").asDouble());
            }
        }
        return OptionalDouble.empty();
    }

    /**
     * Calls {@code path}; {@code body} is JSON-encoded, or sent as it is when it is {@link Octets} (or {@link Json}, already
     * JSON). Package-private: {@link FileUploads}.
     */
    byte[] call(String method, String path, String token, Object body, Duration timeout)
            throws CoordinatorException, InterruptedException {
        int index = current.get();
        URI base = urls.get(index);
        URI uri = URI.create(stripSlash(base.toString()) + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", JSON);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body instanceof Json j) {
            request.header("Content-Type", JSON).method(method, HttpRequest.BodyPublishers.ofByteArray(j.bytes()));
        } else if (body instanceof Octets o) {
            request.header("Content-Type", "application/octet-stream")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(o.bytes(), o.offset(), o.length()));
        } else if (body != null) {
            try {
                request.header("Content-Type", JSON).method(method, HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(body)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot encode " + body.getClass().getSimpleName(), e);
            }
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> response;
        try {
            // send, not sendAsync: sendAsync hands every response to CompletableFuture's default executor, which on a
            // machine with two cores (common pool parallelism 1) starts a new thread per response; send completes on
            // the calling thread. The request's timeout covers the whole exchange.
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            failOver(index);
            throw new CoordinatorUnavailableException(base + " did not answer " + method + " " + path + ": " + describe(e), null, e);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return response.body();
        }
        String problem = method + " " + path + " at " + base + " answered " + status + errorText(response.body());
        if (status == 401 || status == 403) {
            throw new UnauthorizedException(problem, status);
        }
        Duration retryAfter = retryAfter(response.headers().firstValue("Retry-After"));
        if (status == 429) {
            throw new CoordinatorUnavailableException(problem, retryAfter, null);
        }
        if (status >= 500 || status == 408) {
            failOver(index);
            throw new CoordinatorUnavailableException(problem, retryAfter, null);
        }
        throw new RequestRejectedException(problem, status, errorCode(response.body()));
    }

    <T> T read(byte[] body, Class<T> type) throws CoordinatorUnavailableException {
        return decode(body, bytes -> {
            T value = mapper.readValue(bytes, type);
            if (value == null) {
                throw new IOException("empty body");
            }
            return value;
        });
    }

    /** Decodes an answer; one that cannot be read counts as no answer (the next URL is tried). */
    private <T> T decode(byte[] body, Decoder<T> decoder) throws CoordinatorUnavailableException {
        try {
            return decoder.decode(body);
        } catch (IOException e) {
            failOver(current.get());
            throw new CoordinatorUnavailableException("unreadable answer from " + current() + ": " + e.getMessage(), null, e);
        }
    }

    /** Reads an answer's body. */
    @FunctionalInterface
    private interface Decoder<T> {
        T decode(byte[] body) throws IOException;
    }

    /** Moves on from URL {@code index}, unless another thread already did. */
    private void failOver(int index) {
        current.compareAndSet(index, (index + 1) % urls.size());
    }

    /** Parses {@code Retry-After}: delta-seconds or an HTTP date; cut to {@link #MAX_RETRY_AFTER}. */
    Duration retryAfter(Optional<String> header) {
        if (header.isEmpty()) {
            return null;
        }
        String value = header.get().trim();
        Duration wait;
        try {
            wait = Duration.ofSeconds(Long.parseLong(value));
        } catch (NumberFormatException e) {
            try {
                wait = Duration.between(clock.instant(), ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
        if (wait.isNegative()) {
            return Duration.ZERO;
        }
        return wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
    }

    private String errorText(byte[] body) {
        try {
            JsonNode error = mapper.readTree(body).path("error");
            if (error.isObject()) {
                return " " + error.path("code").asText("") + ": " + error.path("message").asText("");
            }
        } catch (IOException | RuntimeException e) {
            // not the JSON error shape: say nothing more
        }
        return "";
    }

    private String errorCode(byte[] body) {
        try {
            JsonNode code = mapper.readTree(body).path("error").path("code");
            return code.isTextual() ? code.asText() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : " (" + message + ")");
    }

    private record FetchRequest(int max, long waitMs, List<String> cachedFiles) {
    }

    /** A body already encoded as JSON. */
    private record Json(byte[] bytes) {
    }

    /** Bytes sent as they are ({@code application/octet-stream}). */
    record Octets(byte[] bytes, int offset, int length) {
    }

    /**
     * What a coordinator said about outputs as files (README, "Outputs as files"): outputs larger than
     * {@code thresholdBytes} are uploaded as files cut into chunks of {@code chunkBytes}.
     */
    public record OutputFiles(long thresholdBytes, int chunkBytes) {
    }

    /**
     * What the coordinators said about outputs as files in their last fetch answer that did, or {@code null} before any
     * did (then outputs are reported inline: an older coordinator knows no files, and a newer one stores large inline
     * outputs as files itself).
     */
    public OutputFiles outputFiles() {
        return outputFiles;
    }

    private record SyncRequest(List<String> holding) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record SyncAnswer(int released) {
    }
}
