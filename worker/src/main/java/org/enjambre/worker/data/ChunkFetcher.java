package org.enjambre.worker.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Fetches file manifests and chunks from the coordinator peers with the worker's token, like a swarm: chunks are
 * downloaded by a small pool ({@code parallel} threads) from any of the coordinators — chunk {@code i} of a file is
 * asked first of coordinator {@code i mod n}, so one file's chunks come from all of them at once — each one verified
 * by its hash before the cache keeps it; a bad copy is logged, counted against its source ({@link #badChunks()}) and
 * fetched again from the next coordinator. One download per chunk at a time: concurrent readers share it. A
 * manifest is accepted only when its chunks hash to the file id asked for, so no peer can swap a file's content.
 * Manifests are kept in memory (content-addressed: they never change). Blocking calls; thread-safe. The pool's
 * threads are daemons that end when idle: nothing to close. A chunk this worker's disk cannot take fails the read at
 * once ({@link CacheWriteException}: no other source is tried). Over 300 lines because every download path (sources,
 * bad copies, a full disk) shares the manifests and the in-flight map; the {@code Manifest}/{@code Swarm} records are
 * the parts to move out next.
 */
public final class ChunkFetcher {
    private static final Logger LOG = Logger.getLogger(ChunkFetcher.class.getName());
    /** The largest chunk accepted: the coordinators' largest chunk size. */
    static final long MAX_CHUNK_BYTES = 64L << 20;
    /** Chunk downloads at once, by default. */
    public static final int DEFAULT_PARALLEL = 4;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The header that tells a coordinator this worker shares its cache, and at which URL. */
    public static final String SHARE_HEADER = "X-Enjambre-Share";

    /**
     * A file as the worker reads it: its chunks in order, every one but the last {@code chunkSize} bytes long (0 when
     * the coordinator did not say: then the file can only be read from its start), and where besides the coordinators
     * to fetch them. The id commits to the chunks' hashes, not to the sizes: {@link WorkerFiles} checks each chunk's
     * length against them when it opens it.
     */
    public record Manifest(String id, long size, int chunkSize, List<String> chunks, Sources sources) {
        public Manifest(String id, long size, int chunkSize, List<String> chunks) {
            this(id, size, chunkSize, chunks, Sources.NONE);
        }

        /** Whether byte offsets map to chunks: a known chunk size that fits the size and the chunk count. */
        public boolean ranged() {
            return chunkSize > 0 && size >= 0 && chunks.size() == (size + chunkSize - 1) / chunkSize;
        }

        /** The length chunk {@code i} must have; only when {@link #ranged()}. */
        public long chunkLength(int i) {
            return i < chunks.size() - 1 ? chunkSize : size - (long) chunkSize * (chunks.size() - 1);
        }
    }

    /**
     * How this fetcher takes part in the swarm: the clock (manifests are asked again for fresh sources after
     * {@link #REFRESH}), this worker's share URL when it shares its cache (sent with manifest requests; null
     * supplier value: not sharing), and who is told of a bad chunk from a sharer or a named peer.
     */
    public record Swarm(java.time.Clock clock, Supplier<String> shareUrl, BadSources reports) {
        /** No sharing, no reports. */
        public static Swarm none(java.time.Clock clock) {
            return new Swarm(clock, () -> null, (file, chunk, source, reason) -> { });
        }
    }

    /** Told of every bad copy a sharer or a named peer sent (not the --coordinator URLs: those are counted only). */
    @FunctionalInterface
    public interface BadSources {
        void report(String fileId, String chunk, Sources.Source source, String reason);
    }

    /** A chunk's place: the file it was read for and its position there. */
    record Located(Manifest file, int index) {
    }

    /** How long a manifest's sources are used before the manifest is asked again. */
    static final Duration REFRESH = Duration.ofSeconds(60);
    /** How long a sharer that could not be reached is skipped. */
    static final Duration SHARER_DOWN = Duration.ofSeconds(60);
    /** How long a sharer that sent a bad copy is skipped (by this worker; the coordinator counts the report). */
    static final Duration SHARER_BAD = Duration.ofMinutes(30);

    private final List<URI> coordinators;
    private final Supplier<String> token;
    private final ChunkCache cache;
    private final HttpClient http;
    private final Duration timeout;
    private final Map<String, Manifest> manifests = new ConcurrentHashMap<>();
    /** When each manifest was fetched (epoch millis on the swarm's clock). */
    private final Map<String, Long> fetchedAt = new ConcurrentHashMap<>();
    /** Chunks of the files read so far, by hash (the share server serves only these, {@link #located}). */
    private final Map<String, Located> located = new ConcurrentHashMap<>();
    /** Sharers that could not be reached or sent a bad copy, until when they are skipped. */
    private final Map<URI, Long> downUntil = new ConcurrentHashMap<>();
    private final Swarm swarm;
    /** Downloads under way, by chunk: a second reader of a chunk waits for the first download. */
    private final Map<String, CompletableFuture<Path>> inFlight = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor pool;
    private final int parallel;
    private final AtomicLong bad = new AtomicLong();
    private final Map<URI, AtomicLong> badBySource = new ConcurrentHashMap<>();

    /** A fetcher with {@link #DEFAULT_PARALLEL} downloads at once. */
    public ChunkFetcher(List<URI> coordinators, Supplier<String> token, ChunkCache cache, Duration timeout) {
        this(coordinators, token, cache, timeout, DEFAULT_PARALLEL);
    }

    /** A fetcher with up to {@code parallel} chunk downloads at once. */
    public ChunkFetcher(List<URI> coordinators, Supplier<String> token, ChunkCache cache, Duration timeout, int parallel) {
        this(coordinators, token, cache, timeout, parallel, Swarm.none(java.time.Clock.systemUTC()));
    }

    /** A fetcher with up to {@code parallel} chunk downloads at once that takes part in the swarm as {@code swarm} says. */
    public ChunkFetcher(List<URI> coordinators, Supplier<String> token, ChunkCache cache, Duration timeout, int parallel,
                        Swarm swarm) {
        this.swarm = swarm;
        if (coordinators.isEmpty() || parallel < 1) {
            throw new IllegalArgumentException("a chunk fetcher needs a coordinator and at least one download at a time");
        }
        this.coordinators = List.copyOf(coordinators);
        this.token = token;
        this.cache = cache;
        this.timeout = timeout;
        this.parallel = parallel;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.pool = new ThreadPoolExecutor(parallel, parallel, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "enjambre-chunk-fetch");
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    /** How many chunks a reader should have in flight ahead of it: the pool's size, fewer when the cache is small. */
    public int window(Manifest file) {
        long chunkBytes = file.chunks().isEmpty() ? 1 : Math.max(1, file.size() / file.chunks().size());
        return (int) Math.max(1, Math.min(parallel, cache.quota() / 2 / chunkBytes));
    }

    /** Bad copies received so far (wrong hash or too long), all sources together. */
    public long badChunks() {
        return bad.get();
    }

    /** Bad copies received so far, by the coordinator that sent them. */
    public Map<URI, Long> badChunksBySource() {
        Map<URI, Long> out = new java.util.HashMap<>();
        badBySource.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /**
     * The manifest of file {@code id}, verified against the id; asked again (for fresh sources, and to announce this
     * worker as a sharer) once {@link #REFRESH} passed, the known one kept when no coordinator answers.
     */
    public Manifest manifest(String id) throws IOException {
        if (!Sha256.valid(id)) {
            throw new IOException("'" + id + "' is not a file id");
        }
        Manifest known = manifests.get(id);
        long now = swarm.clock().millis();
        if (known != null && now - fetchedAt.getOrDefault(id, 0L) < REFRESH.toMillis()) {
            return known;
        }
        IOException last = null;
        for (URI base : coordinators) {
            try (InputStream in = get(new Sources.Source(base, Sources.Kind.COORDINATOR), "/api/v1/files/" + id, true)) {
                JsonNode n = JSON.readTree(in);
                List<String> chunks = new ArrayList<>();
                n.path("chunks").forEach(c -> chunks.add(c.asText()));
                if (!n.path("complete").asBoolean() || !chunks.stream().allMatch(Sha256::valid)
                        || !Sha256.fileId(chunks).equals(id)) {
                    throw new IOException(base + " sent a manifest that is incomplete or not file " + id);
                }
                Manifest m = new Manifest(id, n.path("size").asLong(), n.path("chunkSize").asInt(0), List.copyOf(chunks),
                        Sources.parse(n.get("sources")));
                manifests.put(id, m);
                fetchedAt.put(id, now);
                for (int i = 0; i < chunks.size(); i++) {
                    located.putIfAbsent(chunks.get(i), new Located(m, i));
                }
                return m;
            } catch (IOException e) {
                last = e;
            }
        }
        if (known != null) {
            fetchedAt.put(id, now);
            return known;
        }
        throw new IOException("no coordinator sent file " + id + ": " + (last == null ? "none asked" : last.getMessage()), last);
    }

    /** Where chunk {@code sha256} was met: a file this worker read and its position there; null for other chunks. */
    Located located(String sha256) {
        Located l = located.get(sha256);
        return l == null ? null : new Located(manifests.getOrDefault(l.file().id(), l.file()), l.index());
    }

    /** The chunk's file in the cache if it is there. */
    java.util.Optional<Path> cached(String sha256) {
        return cache.get(sha256);
    }

    /** The verified chunk's file in the cache, fetched first when it is not there. */
    public Path chunk(String sha256) throws IOException {
        return await(chunkAsync(sha256, 0), sha256);
    }

    /**
     * The verified chunk's file in the cache, downloaded by the pool when it is not there; {@code index} (its
     * position in its file) picks the coordinator asked first.
     */
    public CompletableFuture<Path> chunkAsync(String sha256, int index) {
        return chunkAsync(sha256, index, null);
    }

    /** Chunk {@code index} of {@code file}, downloaded by the pool when it is not cached, asking the file's sources first. */
    public CompletableFuture<Path> chunkAsync(Manifest file, int index) {
        return chunkAsync(file.chunks().get(index), index, file);
    }

    private CompletableFuture<Path> chunkAsync(String sha256, int index, Manifest file) {
        var cached = cache.get(sha256);
        if (cached.isPresent()) {
            return CompletableFuture.completedFuture(cached.get());
        }
        CompletableFuture<Path> mine = new CompletableFuture<>();
        CompletableFuture<Path> running = inFlight.putIfAbsent(sha256, mine);
        if (running != null) {
            return running;
        }
        try {
            pool.execute(() -> {
                // Out of inFlight before its readers wake: a reader that tries again at once starts a new download
                // instead of meeting this one's failure.
                try {
                    Path path = download(sha256, index, file);
                    inFlight.remove(sha256, mine);
                    mine.complete(path);
                } catch (IOException | RuntimeException e) {
                    inFlight.remove(sha256, mine);
                    mine.completeExceptionally(e);
                }
            });
        } catch (RuntimeException e) {
            inFlight.remove(sha256, mine);
            mine.completeExceptionally(e);
        }
        return mine;
    }

    /** Waits for a download; its failure is rethrown as the IOException it was. */
    public static Path await(CompletableFuture<Path> download, String sha256) throws IOException {
        try {
            return download.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching chunk " + sha256, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException("fetching chunk " + sha256 + " failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Downloads a chunk from its sources ({@link Sources#order}: those {@code file} names, then the coordinators
     * starting with number {@code index mod n}) until a copy verifies.
     */
    private Path download(String sha256, int index, Manifest file) throws IOException {
        IOException last = null;
        Sources sources = file == null ? Sources.NONE : file.sources();
        for (Sources.Source source : sources.order(index, coordinators)) {
            URI base = source.base();
            if (source.kind() == Sources.Kind.SHARER && downUntil.getOrDefault(base, Long.MIN_VALUE) > swarm.clock().millis()) {
                continue;
            }
            try {
                return fetchInto(source, sha256, index, file);
            } catch (CacheWriteException e) {
                throw e; // this disk's failure: another source would meet it too
            } catch (ChunkCache.BadChunkException e) {
                bad.incrementAndGet();
                long fromThere = badBySource.computeIfAbsent(base, b -> new AtomicLong()).incrementAndGet();
                LOG.warning(source.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + base + " sent a bad copy ("
                        + fromThere + " so far): " + e.getMessage() + "; fetching it elsewhere");
                if (source.kind() == Sources.Kind.SHARER) {
                    downUntil.put(base, swarm.clock().millis() + SHARER_BAD.toMillis());
                }
                if (source.kind() != Sources.Kind.COORDINATOR && file != null) {
                    swarm.reports().report(file.id(), sha256, source, e.getMessage());
                }
                last = e;
            } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException e) {
                if (source.kind() == Sources.Kind.SHARER) {
                    downUntil.put(base, swarm.clock().millis() + SHARER_DOWN.toMillis());
                }
                last = e;
            } catch (IOException e) {
                last = e;
            }
        }
        throw new IOException("no source sent chunk " + sha256 + ": " + (last == null ? "none asked" : last.getMessage()), last);
    }

    /**
     * Downloads chunk {@code index} of {@code file} (null: a chunk of no known file) from {@code source} into the cache;
     * when the disk was full but the cache made room by evicting, downloads it again (the cache shrinks each time, so
     * this ends). A disk that refuses it anyway fails the read with the chunk and the file named.
     */
    private Path fetchInto(Sources.Source source, String sha256, int index, Manifest file) throws IOException {
        long expected = file != null && file.ranged() ? file.chunkLength(index) : 0;
        while (true) {
            try {
                cache.makeRoomFor(expected); // before the transfer: a full disk costs none
                try (InputStream in = get(source, "/api/v1/chunks/" + sha256, false)) {
                    return cache.put(sha256, in, MAX_CHUNK_BYTES, expected);
                }
            } catch (CacheWriteException e) {
                String what = (e.diskFull() ? "disk full" : "cannot write to the disk") + " while caching chunk " + sha256
                        + (file == null ? "" : " of file " + file.id());
                if (!e.diskFull() || e.freed() == 0) {
                    LOG.warning(what + ": " + e.getMessage());
                    throw new CacheWriteException(e.diskFull(), e.freed(), what + ": " + e.getMessage(), e);
                }
                LOG.info(what + "; evicted " + e.freed() + " bytes of other chunks, fetching it again");
            }
        }
    }

    /** GET {@code path} of {@code source}: the token only to trusted sources, this worker's share URL with manifests. */
    private InputStream get(Sources.Source source, String path, boolean announce) throws IOException {
        String base = source.base().toString();
        URI uri = source.kind() == Sources.Kind.COORDINATOR ? source.base().resolve(path)
                : URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(timeout).GET();
        if (source.kind().trusted()) {
            req.header("Authorization", "Bearer " + token.get());
        }
        String share = announce ? swarm.shareUrl().get() : null;
        if (share != null) {
            req.header(SHARE_HEADER, share);
        }
        try {
            HttpResponse<InputStream> r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                r.body().close();
                throw new IOException(uri + " answered " + r.statusCode());
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
