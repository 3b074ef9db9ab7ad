package org.enjambre.worker.data;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The worker's share server ({@code --share-cache}, README "LAN sharing"): serves {@code GET
 * /api/v1/chunks/{sha256}} read-only to other workers the coordinator points here, and nothing else. A chunk of a
 * file this worker read is served from the cache, or fetched first through this worker's own sources (they are
 * all sharers that announced the file earlier, then coordinators: no waiting cycles, see the coordinator's
 * {@code Sharers}) for at most {@link #PULL_WAIT}; any other hash is {@code 404}. At most {@code maxTransfers}
 * requests are served at once, the others get {@code 503}. No token is asked or needed: chunks are public by
 * hash, and every reader verifies them.
 */
public final class ShareServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ShareServer.class.getName());
    /** The longest a request waits for a chunk this worker is fetching. */
    static final Duration PULL_WAIT = Duration.ofSeconds(30);
    /** Transfers at once, by default. */
    public static final int DEFAULT_MAX_TRANSFERS = 16;
    private static final String PREFIX = "/api/v1/chunks/";

    private final ChunkFetcher fetcher;
    private final HttpServer server;
    private final ExecutorService threads;
    private final Semaphore transfers;
    private final String host;
    private final AtomicLong servedBytes = new AtomicLong();
    private final AtomicLong servedChunks = new AtomicLong();

    private ShareServer(ChunkFetcher fetcher, HttpServer server, ExecutorService threads, int maxTransfers, String host) {
        this.fetcher = fetcher;
        this.server = server;
        this.threads = threads;
        this.transfers = new Semaphore(maxTransfers);
        this.host = host;
    }

    /** Starts serving {@code fetcher}'s chunks on {@code host}:{@code port} (0: any free port). */
    public static ShareServer start(ChunkFetcher fetcher, String host, int port, int maxTransfers) throws IOException {
        if (maxTransfers < 1) {
            throw new IllegalArgumentException("a share server needs at least one transfer at a time");
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
        ExecutorService threads = Executors.newFixedThreadPool(maxTransfers + 2, r -> {
            Thread t = new Thread(r, "enjambre-share");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        ShareServer s = new ShareServer(fetcher, server, threads, maxTransfers, host);
        server.createContext("/", s::handle);
        server.start();
        return s;
    }

    /** The URL this server announces: {@code http://HOST:PORT}; host 0.0.0.0 tells the coordinator to use the address it sees. */
    public String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + h + ":" + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Chunk bytes sent to other workers so far. */
    public long servedBytes() {
        return servedBytes.get();
    }

    /** Chunks sent to other workers so far. */
    public long servedChunks() {
        return servedChunks.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String sha = path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : "";
            if (!Sha256.valid(sha) || ex.getRequestURI().getRawQuery() != null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            if (!"GET".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", "GET");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            if (!transfers.tryAcquire()) {
                ex.getResponseHeaders().set("Retry-After", "1");
                ex.sendResponseHeaders(503, -1);
                return;
            }
            try {
                send(ex, sha);
            } finally {
                transfers.release();
            }
        }
    }

    private void send(HttpExchange ex, String sha) throws IOException {
        Optional<Path> file = chunk(sha);
        if (file.isEmpty()) {
            ex.sendResponseHeaders(404, -1);
            return;
        }
        InputStream in;
        try {
            in = Files.newInputStream(file.get());
        } catch (NoSuchFileException e) { // evicted meanwhile
            ex.sendResponseHeaders(404, -1);
            return;
        }
        try (in) {
            long size = Files.size(file.get());
            ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, size);
            try (OutputStream out = ex.getResponseBody()) {
                servedBytes.addAndGet(in.transferTo(out));
            }
            servedChunks.incrementAndGet();
        }
    }

    /** The chunk's cached file: from the cache, or fetched for a file this worker read; empty otherwise. */
    private Optional<Path> chunk(String sha) {
        Optional<Path> cached = fetcher.cached(sha);
        if (cached.isPresent()) {
            return cached;
        }
        ChunkFetcher.Located at = fetcher.located(sha);
        if (at == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(fetcher.chunkAsync(at.file(), at.index()).get(PULL_WAIT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            LOG.fine("chunk " + sha + " asked by another worker could not be had: " + e);
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
