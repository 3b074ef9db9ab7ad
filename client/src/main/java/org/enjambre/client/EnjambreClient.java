package org.enjambre.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A client of one Enjambre coordinator peer (any peer answers any request) over the REST API v1: submit jobs,
 * follow their progress, fetch results, cancel, upload WebAssembly modules, list workers and peers.
 *
 * <pre>{@code
 * try (EnjambreClient client = EnjambreClient.builder()
 *         .url(URI.create("http://127.0.0.1:8080")).apiKey(key).build()) {
 *     SubmittedJob job = client.submit(JobSpec.builder("primes").input(Map.of("from", 2, "to", 10_000_000)).build());
 *     client.await(job.id(), Duration.ofMinutes(10));
 *     String count = client.result(job.id()).text();   // {"count":664579}
 * }
 * }</pre>
 *
 * <p>Thread-safe: one client may serve many threads. Every call blocks its caller and throws a subclass of
 * {@link EnjambreException} carrying the server's error code, message and field. GETs answered 429 or 503 are
 * retried after the server's {@code Retry-After} (three times at most); nothing else is retried.
 */
public final class EnjambreClient implements AutoCloseable {
    private final Transport transport;
    private final Timing timing;
    private final boolean events;
    private final Duration pollInterval;
    private volatile boolean closed;

    private EnjambreClient(Builder b) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(b.connectTimeout).build();
        this.timing = b.timing;
        this.transport = new Transport(http, b.url, b.apiKey, b.timeout, b.timing);
        this.events = b.events;
        this.pollInterval = b.pollInterval;
    }

    /** A builder; {@link Builder#url} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The coordinator's base URL (without a trailing slash). */
    public String url() {
        return transport.base();
    }

    // ---- jobs

    /**
     * Submits a job.
     *
     * @throws BadRequestException naming the field when the coordinator refuses the spec
     */
    public SubmittedJob submit(JobSpec spec) {
        return submit(spec.toJson());
    }

    /** Submits a job spec given as JSON text, sent as it is (the coordinator judges it). */
    public SubmittedJob submit(String specJson) {
        JsonNode n = call("POST", "/api/v1/jobs", specJson.getBytes(StandardCharsets.UTF_8), "application/json");
        return new SubmittedJob(n.path("id").asText(), Json.job(n).state());
    }

    /** One job's snapshot: state, progress, work units by state, timings. */
    public Job job(String id) {
        return Json.job(call("GET", jobPath(id), null, null));
    }

    /** Every job, newest first. */
    public List<Job> jobs() {
        return Json.jobs(call("GET", "/api/v1/jobs", null, null));
    }

    /** A page of a job's work units with their replicas, from unit index {@code from}, at most {@code limit}. */
    public UnitPage units(String id, int from, int limit) {
        JsonNode n = call("GET", jobPath(id) + "/units?from=" + from + "&limit=" + limit, null, null);
        List<JsonNode> units = new ArrayList<>();
        n.path("units").forEach(units::add);
        return new UnitPage(n.path("total").asLong(), units);
    }

    /** Cancels a job (nothing changes for one that already ended); its snapshot afterwards. */
    public Job cancel(String id) {
        return Json.job(call("DELETE", jobPath(id), null, null));
    }

    /**
     * A completed job's merged result, in memory.
     *
     * @throws ConflictException ({@code NOT_COMPLETED}) until the job completed
     */
    public JobResult result(String id) {
        Transport.Answer a = answer("GET", jobPath(id) + "/result", null, null, "*/*");
        try (InputStream in = a.body()) {
            return new JobResult(a.contentType(), in.readAllBytes());
        } catch (IOException e) {
            throw transport.broken(e);
        }
    }

    /**
     * Streams a completed job's merged result into {@code file} (replacing it), never holding it in memory; a
     * failed download leaves no file behind.
     *
     * @throws ConflictException ({@code NOT_COMPLETED}) until the job completed
     * @throws UncheckedIOException when the file cannot be written
     */
    public SavedResult resultTo(String id, Path file) {
        return ResultFiles.save(answer("GET", jobPath(id) + "/result", null, null, "*/*"), file, transport);
    }

    /**
     * Streams a completed job's merged result into {@code file} as {@link #resultTo(String, Path)} does, checking it
     * segment by segment (each output file's chunks, each inline piece) against the result's manifest as the bytes
     * pass; {@code progress} gets the bytes so far and the total. A result that does not match fails with
     * {@link UncheckedIOException} and leaves no file.
     */
    public SavedResult verifiedResultTo(String id, Path file, java.util.function.BiConsumer<Long, Long> progress) {
        ResultCheck check = new ResultCheck(call("GET", jobPath(id) + "/result/manifest", null, null));
        return ResultFiles.save(answer("GET", jobPath(id) + "/result", null, null, "*/*"), file, transport, check,
                done -> progress.accept(done, check.size()));
    }

    /** The content type of a completed job's result, from its manifest. */
    public String resultType(String id) {
        return call("GET", jobPath(id) + "/result/manifest", null, null).path("contentType").asText();
    }

    // ---- progress

    /**
     * Follows a job until it ends: {@code listener} gets each changed snapshot, the first one at once and the final
     * one last. Uses the live event stream, reconnecting with backoff after a dropped connection, and falls back to
     * polling when the coordinator offers no stream. Blocks; returns the final snapshot.
     */
    public Job watch(String id, Consumer<Job> listener) {
        return watch(id, null, listener);
    }

    /**
     * As {@link #watch(String, Consumer)}, giving up after {@code timeout} (null for none).
     *
     * @throws JobTimeoutException when the job did not end in time (the job goes on)
     */
    public Job watch(String id, Duration timeout, Consumer<Job> listener) {
        open();
        Objects.requireNonNull(listener, "listener");
        return new Watcher(transport, this::job, timing, segment(id), timeout, listener).run(events, pollInterval);
    }

    /**
     * Waits until a job ended (COMPLETED, FAILED or CANCELLED); its final snapshot.
     *
     * @throws JobTimeoutException when it did not end within {@code timeout}; {@link JobTimeoutException#job()} is
     *                             its last snapshot (the job goes on)
     */
    public Job await(String id, Duration timeout) {
        return watch(id, Objects.requireNonNull(timeout, "timeout"), j -> { });
    }

    // ---- modules, workers, cluster

    /**
     * Uploads a WebAssembly module; its SHA-256 (hex), for a {@code wasm} job's {@code input.module}.
     *
     * @throws BadRequestException ({@code INVALID_MODULE}) when the bytes are no valid module
     */
    public String uploadModule(byte[] module) {
        return call("POST", "/api/v1/modules", module.clone(), "application/wasm").path("sha256").asText();
    }

    /** As {@link #uploadModule(byte[])}, from a file. */
    public String uploadModule(Path file) {
        try {
            return uploadModule(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Declares a data file by its manifest: its name, size, chunk size and the SHA-256 (hex) of each chunk in order.
     * Idempotent: declaring it again, once every chunk is uploaded ({@link #putChunk}), makes it complete. A resumed
     * upload sends only what {@link FileStatus#missing()} lists.
     *
     * @throws BadRequestException naming the manifest field that is wrong
     */
    public FileStatus declareFile(String name, long size, int chunkSize, List<String> chunkHashes) {
        com.fasterxml.jackson.databind.node.ObjectNode m = Json.MAPPER.createObjectNode()
                .put("name", name).put("size", size).put("chunkSize", chunkSize);
        com.fasterxml.jackson.databind.node.ArrayNode chunks = m.putArray("chunks");
        chunkHashes.forEach(chunks::add);
        JsonNode r = call("POST", "/api/v1/files", m.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");
        List<String> missing = new ArrayList<>();
        r.path("missing").forEach(n -> missing.add(n.asText()));
        return new FileStatus(r.path("id").asText(), missing, r.path("complete").asBoolean());
    }

    /**
     * Uploads one chunk of a declared file, named by its SHA-256 (hex); the coordinator checks the hash.
     *
     * @throws BadRequestException ({@code HASH_MISMATCH}) when the bytes do not hash to {@code sha256}
     */
    public void putChunk(String sha256, byte[] bytes) {
        try (InputStream in = answer("PUT", "/api/v1/chunks/" + segment(sha256), bytes, "application/octet-stream",
                "application/json").body()) {
            in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("uploading chunk " + sha256 + ": " + e.getMessage(), e);
        }
    }

    /**
     * Streams a complete data file into {@code file} (never whole in memory; no file is left when the download
     * fails).
     *
     * @throws ConflictException ({@code FILE_INCOMPLETE}) while chunks are missing
     */
    public SavedResult fileTo(String fileId, Path file) {
        return ResultFiles.save(answer("GET", "/api/v1/files/" + segment(fileId) + "/content", null, null, "*/*"), file, transport);
    }

    /** The workers with their throughput, credit and reputation. */
    public List<Worker> workers() {
        List<Worker> out = new ArrayList<>();
        call("GET", "/api/v1/workers", null, null).path("workers").forEach(w -> out.add(Json.worker(w)));
        return List.copyOf(out);
    }

    /** The coordinator peers of the cluster. */
    public List<Peer> cluster() {
        List<Peer> out = new ArrayList<>();
        call("GET", "/api/v1/cluster", null, null).path("peers").forEach(p -> out.add(Json.peer(p)));
        return List.copyOf(out);
    }

    /** Refuses further calls. (On Java 17 the HTTP client's idle connections close when it is garbage collected.) */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "EnjambreClient[" + transport.base() + "]";
    }

    private JsonNode call(String method, String path, byte[] body, String contentType) {
        open();
        return transport.json(method, path, body, contentType);
    }

    private Transport.Answer answer(String method, String path, byte[] body, String contentType, String accept) {
        open();
        return transport.call(method, path, body, contentType, accept);
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("this EnjambreClient is closed");
        }
    }

    private static String jobPath(String id) {
        return "/api/v1/jobs/" + segment(id);
    }

    /** A job id as one path segment, percent-encoded. */
    private static String segment(String id) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("a job id is a non-empty string");
        }
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Configures an {@link EnjambreClient}; not thread-safe. */
    public static final class Builder {
        private URI url;
        private String apiKey;
        private Duration timeout = Duration.ofSeconds(60);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private boolean events = true;
        private Duration pollInterval = Duration.ofSeconds(1);
        private Timing timing = Timing.SYSTEM;

        private Builder() {
        }

        /** The coordinator's base URL, {@code http://} or {@code https://} (required). */
        public Builder url(URI url) {
            String scheme = Objects.requireNonNull(url, "url").getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || url.getHost() == null) {
                throw new IllegalArgumentException("coordinator URL '" + url + "' must start with http:// or https:// and name a host");
            }
            this.url = url;
            return this;
        }

        /** As {@link #url(URI)}, from text. */
        public Builder url(String url) {
            try {
                return url(new URI(Objects.requireNonNull(url, "url")));
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException("coordinator URL '" + url + "' is not a valid URL", e);
            }
        }

        /** The admin API key sent as {@code Authorization: Bearer}; null for none (read-only views may not need one). */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /** How long one request may wait for the answer's headers (default 60 s). */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        /** How long connecting may take (default 5 s). */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive(connectTimeout, "connectTimeout");
            return this;
        }

        /** Whether {@link #watch} uses the event stream (default) or only polls. */
        public Builder events(boolean events) {
            this.events = events;
            return this;
        }

        /** How often {@link #watch} polls when it polls (default 1 s). */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = positive(pollInterval, "pollInterval");
            return this;
        }

        /** Tests: the clock and sleeps the client waits with. */
        Builder timing(Timing timing) {
            this.timing = Objects.requireNonNull(timing, "timing");
            return this;
        }

        /**
         * The client.
         *
         * @throws IllegalStateException when no URL was given
         */
        public EnjambreClient build() {
            if (url == null) {
                throw new IllegalStateException("a coordinator URL is required: call url(...)");
            }
            return new EnjambreClient(this);
        }

        private static Duration positive(Duration d, String what) {
            if (Objects.requireNonNull(d, what).isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, not " + d);
            }
            return d;
        }
    }
}
