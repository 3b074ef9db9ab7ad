package org.enjambre.worker.data;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker's side of the swarm over real HTTP: the sources a manifest names are asked before the coordinators
 * (sharers without the worker's token), a bad copy from a sharer or a named peer is reported, and the share server
 * serves cached chunks, fetches chunks of files it read for the asker, refuses anything else and past its
 * transfer bound. Stand-in coordinators (a lying or a gated one cannot be had otherwise).
 */
class SwarmFetchTest {
    @TempDir
    Path dir;
    final List<HttpServer> servers = new ArrayList<>();
    final List<AutoCloseable> closing = new ArrayList<>();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws Exception {
        servers.forEach(s -> s.stop(0));
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /** What a stand-in server saw: each request's path and its Authorization and share headers. */
    record Seen(String path, String auth, String share) {
    }

    /** A stand-in serving {@code paths} to anyone (path → body), recording requests, running {@code before} first. */
    URI serve(Map<String, byte[]> paths, Queue<Seen> seen, Consumer<String> before) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.setExecutor(Executors.newCachedThreadPool());
        s.createContext("/", ex -> answer(ex, paths, seen, before));
        s.start();
        servers.add(s);
        return URI.create("http://127.0.0.1:" + s.getAddress().getPort());
    }

    private static void answer(HttpExchange ex, Map<String, byte[]> paths, Queue<Seen> seen, Consumer<String> before) throws IOException {
        String path = ex.getRequestURI().getPath();
        seen.add(new Seen(path, ex.getRequestHeaders().getFirst("Authorization"), ex.getRequestHeaders().getFirst("X-Enjambre-Share")));
        before.accept(path);
        byte[] body = paths.get(path);
        ex.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
        if (body != null) {
            ex.getResponseBody().write(body);
        }
        ex.close();
    }

    static String sha(byte[] b) {
        return ChunkFetcherTest.sha(b);
    }

    /** A file of {@code n} small chunks. */
    record File(List<byte[]> chunks, List<String> hashes, String id, byte[] whole) {
        static File of(int n, String tag) {
            List<byte[]> chunks = new ArrayList<>();
            List<String> hashes = new ArrayList<>();
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < n; i++) {
                byte[] c = (tag + " chunk " + i + "; ").getBytes(StandardCharsets.UTF_8);
                chunks.add(c);
                hashes.add(sha(c));
                all.writeBytes(c);
            }
            return new File(chunks, hashes, Sha256.fileId(hashes), all.toByteArray());
        }

        /** The manifest, with {@code sources} (JSON text, or null for none). */
        byte[] manifest(String sources) {
            return ("{\"id\":\"" + id + "\",\"complete\":true,\"size\":" + whole.length + ",\"chunks\":[\"" + String.join("\",\"", hashes)
                    + "\"]" + (sources == null ? "" : ",\"sources\":" + sources) + "}").getBytes(StandardCharsets.UTF_8);
        }

        Map<String, byte[]> chunkPaths() {
            Map<String, byte[]> m = new ConcurrentHashMap<>();
            for (int i = 0; i < chunks.size(); i++) {
                m.put("/api/v1/chunks/" + hashes.get(i), chunks.get(i));
            }
            return m;
        }
    }

    ChunkFetcher fetcher(String name, URI coordinator, String shareUrl, ChunkFetcher.BadSources reports) throws IOException {
        return fetcher(name, coordinator, shareUrl, reports, 2);
    }

    ChunkFetcher fetcher(String name, URI coordinator, String shareUrl, ChunkFetcher.BadSources reports, int parallel) throws IOException {
        return new ChunkFetcher(List.of(coordinator), () -> "tok", new ChunkCache(dir.resolve(name), 1 << 20, Clock.systemUTC()),
                Duration.ofSeconds(20), parallel, new ChunkFetcher.Swarm(Clock.systemUTC(), () -> shareUrl, reports));
    }

    static long chunkRequests(Queue<Seen> seen) {
        return seen.stream().filter(s -> s.path().startsWith("/api/v1/chunks/")).count();
    }

    @Test
    void namedSources_askedBeforeTheCoordinator_sharersWithoutTheToken_badCopiesReported() throws Exception {
        File f = File.of(4, "named");
        Map<String, byte[]> sharerPaths = f.chunkPaths();
        sharerPaths.put("/api/v1/chunks/" + f.hashes().get(1), "forged".getBytes(StandardCharsets.UTF_8));
        sharerPaths.remove("/api/v1/chunks/" + f.hashes().get(3));
        Queue<Seen> atSharer = new ConcurrentLinkedQueue<>();
        Queue<Seen> atPeer = new ConcurrentLinkedQueue<>();
        Queue<Seen> atCoordinator = new ConcurrentLinkedQueue<>();
        URI sharer = serve(sharerPaths, atSharer, p -> { });
        URI peer = serve(f.chunkPaths(), atPeer, p -> { });
        String sources = "{\"sharers\":[\"" + sharer + "\"],\"peers\":[\"" + peer + "\"],\"holders\":[[0],[0],[0],[0]]}";
        Map<String, byte[]> coordinatorPaths = f.chunkPaths();
        coordinatorPaths.put("/api/v1/files/" + f.id(), f.manifest(sources));
        URI coordinator = serve(coordinatorPaths, atCoordinator, p -> { });
        Queue<String> reported = new ConcurrentLinkedQueue<>();
        ChunkFetcher fetcher = fetcher("c", coordinator, null, // one download at a time: chunks asked in order
                (file, chunk, source, reason) -> reported.add(file + " " + chunk + " " + source.base() + " " + source.kind()), 1);

        try (InputStream in = new WorkerFiles(fetcher).open(f.id())) {
            assertThat(in.readAllBytes()).isEqualTo(f.whole());
        }
        assertThat(chunkRequests(atCoordinator)).as("every chunk came from the named sources").isZero();
        assertThat(atSharer).as("every chunk asked of the sharer first, until it sent a bad copy of chunk 1")
                .extracting(Seen::path).containsExactly("/api/v1/chunks/" + f.hashes().get(0), "/api/v1/chunks/" + f.hashes().get(1));
        assertThat(atSharer).allMatch(s -> s.auth() == null);
        assertThat(atPeer).as("the forged chunk and the ones after it (the sharer is skipped since)").extracting(Seen::path)
                .containsExactlyInAnyOrder("/api/v1/chunks/" + f.hashes().get(1), "/api/v1/chunks/" + f.hashes().get(2),
                        "/api/v1/chunks/" + f.hashes().get(3));
        assertThat(atPeer).allMatch(s -> "Bearer tok".equals(s.auth()));
        assertThat(reported).containsExactly(f.id() + " " + f.hashes().get(1) + " " + sharer + " SHARER");
        assertThat(atCoordinator).filteredOn(s -> s.path().startsWith("/api/v1/files/")).allMatch(s -> s.share() == null);
    }

    @Test
    void shareServer_servesCachedChunks_fetchesThoseOfFilesItRead_andNothingElse() throws Exception {
        File f = File.of(6, "shared");
        Map<String, byte[]> plain = f.chunkPaths();
        plain.put("/api/v1/files/" + f.id(), f.manifest(null));
        Queue<Seen> atA = new ConcurrentLinkedQueue<>();
        URI coordinatorA = serve(plain, atA, p -> { });
        ChunkFetcher a = fetcher("a", coordinatorA, "http://0.0.0.0:1234", (file, chunk, source, reason) -> { });
        ShareServer share = ShareServer.start(a, "127.0.0.1", 0, 4);
        closing.add(share);
        a.manifest(f.id()); // a announced and knows the file; it read the first chunk only
        try (InputStream in = new WorkerFiles(a).open(f.id())) {
            assertThat(in.read()).isPositive();
        }
        assertThat(atA).filteredOn(s -> s.path().startsWith("/api/v1/files/")).extracting(Seen::share).containsOnly("http://0.0.0.0:1234");

        Map<String, byte[]> named = new ConcurrentHashMap<>();
        named.put("/api/v1/files/" + f.id(), f.manifest("{\"sharers\":[\"" + share.url() + "\"],\"peers\":[],\"holders\":[]}"));
        Queue<Seen> atB = new ConcurrentLinkedQueue<>();
        ChunkFetcher b = fetcher("b", serve(named, atB, p -> { }), null, (file, chunk, source, reason) -> { });
        try (InputStream in = new WorkerFiles(b).open(f.id())) {
            assertThat(in.readAllBytes()).isEqualTo(f.whole());
        }
        assertThat(chunkRequests(atB)).as("b's coordinator sent no chunk").isZero();
        assertThat(share.servedChunks()).isEqualTo(6);
        assertThat(share.servedBytes()).isEqualTo(f.whole().length);
        assertThat(chunkRequests(atA)).as("a fetched each chunk once, for itself or for b").isEqualTo(6);

        String unknown = sha("not a chunk of a file a read".getBytes(StandardCharsets.UTF_8));
        assertThat(get(share.url() + "/api/v1/chunks/" + unknown, "GET")).isEqualTo(404);
        assertThat(get(share.url() + "/api/v1/files/" + f.id(), "GET")).isEqualTo(404);
        assertThat(get(share.url() + "/api/v1/chunks/" + f.hashes().get(0), "DELETE")).isEqualTo(405);
    }

    @Test
    void shareServer_pastItsTransferBound_answers503() throws Exception {
        File f = File.of(2, "gated");
        Map<String, byte[]> plain = f.chunkPaths();
        plain.put("/api/v1/files/" + f.id(), f.manifest(null));
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        URI coordinator = serve(plain, new ConcurrentLinkedQueue<>(), path -> {
            if (path.startsWith("/api/v1/chunks/")) {
                asked.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        ChunkFetcher a = fetcher("a", coordinator, null, (file, chunk, source, reason) -> { });
        ShareServer share = ShareServer.start(a, "127.0.0.1", 0, 1);
        closing.add(share);
        a.manifest(f.id());
        var first = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(share.url() + "/api/v1/chunks/" + f.hashes().get(0))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(asked.await(20, TimeUnit.SECONDS)).as("the share server is fetching chunk 0 for its asker").isTrue();
        assertThat(get(share.url() + "/api/v1/chunks/" + f.hashes().get(1), "GET")).isEqualTo(503);
        release.countDown();
        assertThat(first.get(20, TimeUnit.SECONDS).body()).isEqualTo(f.chunks().get(0));
    }

    static int get(String url, String method) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
