package org.enjambre.worker.data;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The worker's file reads over real HTTP against stand-in coordinators (a lying one cannot be had otherwise):
 * chunks come in parallel from several coordinators, a bad chunk is refetched from another and its source counted,
 * a forged manifest refused, the cache evicts the least recently used chunk past its quota; a read from an offset
 * fetches only the chunks from there on, and a manifest whose sizes do not fit its chunks fails the read.
 */
class ChunkFetcherTest {
    @TempDir
    Path dir;
    final List<HttpServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    /** A stand-in coordinator serving {@code paths} (path → body) and counting requests. */
    URI serve(Map<String, byte[]> paths, AtomicInteger hits) throws IOException {
        return serve(paths, hits, path -> { });
    }

    /** The same, each request running {@code before} with its path first (requests run concurrently). */
    URI serve(Map<String, byte[]> paths, AtomicInteger hits, Consumer<String> before) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.setExecutor(Executors.newCachedThreadPool());
        s.createContext("/", ex -> {
            hits.incrementAndGet();
            before.accept(ex.getRequestURI().getPath());
            byte[] body = paths.get(ex.getRequestURI().getPath());
            boolean authorized = "Bearer tok".equals(ex.getRequestHeaders().getFirst("Authorization"));
            ex.sendResponseHeaders(body == null || !authorized ? 404 : 200, body == null || !authorized ? -1 : body.length);
            if (body != null && authorized) {
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        s.start();
        servers.add(s);
        return URI.create("http://127.0.0.1:" + s.getAddress().getPort());
    }

    static String sha(byte[] b) {
        var md = Sha256.digest();
        return HexFormat.of().formatHex(md.digest(b));
    }

    static byte[] manifest(long size, String... chunks) {
        return ("{\"id\":\"x\",\"complete\":true,\"size\":" + size + ",\"chunks\":[\"" + String.join("\",\"", chunks) + "\"]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    ChunkFetcher fetcher(long quota, URI... urls) throws IOException {
        Clock clock = Clock.fixed(Instant.parse("2026-12-05T00:00:00Z"), ZoneOffset.UTC);
        return new ChunkFetcher(List.of(urls), () -> "tok", new ChunkCache(dir.resolve("chunks"), quota, clock), Duration.ofSeconds(10));
    }

    @Test
    void badChunkFromOneCoordinator_refetchedFromAnother_itsSourceCounted_andCached() throws Exception {
        byte[] one = "alpha beta ".getBytes(StandardCharsets.UTF_8);
        byte[] two = "gamma\n".getBytes(StandardCharsets.UTF_8);
        String id = Sha256.fileId(List.of(sha(one), sha(two)));
        Map<String, byte[]> good = new ConcurrentHashMap<>(Map.of("/api/v1/files/" + id, manifest(17, sha(one), sha(two)),
                "/api/v1/chunks/" + sha(one), one, "/api/v1/chunks/" + sha(two), two));
        Map<String, byte[]> liar = new ConcurrentHashMap<>(good);
        liar.put("/api/v1/chunks/" + sha(one), "alphX beta ".getBytes(StandardCharsets.UTF_8));
        AtomicInteger liarHits = new AtomicInteger();
        AtomicInteger goodHits = new AtomicInteger();
        URI liarUrl = serve(liar, liarHits);
        ChunkFetcher f = fetcher(1 << 20, liarUrl, serve(good, goodHits));

        try (InputStream in = new WorkerFiles(f).open(id)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("alpha beta gamma\n");
        }
        assertThat(liarHits.get()).as("the manifest and chunk 0 (asked of the first coordinator first)").isEqualTo(2);
        assertThat(goodHits.get()).as("chunk 0 again, and chunk 1 (asked of the second first)").isEqualTo(2);
        assertThat(f.badChunks()).isEqualTo(1);
        assertThat(f.badChunksBySource()).containsExactly(Map.entry(liarUrl, 1L));
        int before = liarHits.get() + goodHits.get();
        try (InputStream in = new WorkerFiles(f).open(id)) {
            in.readAllBytes();
        }
        assertThat(liarHits.get() + goodHits.get()).as("read again from the cache").isEqualTo(before);
        try (var tmp = Files.list(dir.resolve("chunks/tmp"))) {
            assertThat(tmp).isEmpty();
        }
    }

    @Test
    void chunksOfAFile_fetchedInParallel_fromEveryCoordinator() throws Exception {
        List<byte[]> chunks = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 12; i++) {
            byte[] c = ("chunk " + i + " of twelve; ").getBytes(StandardCharsets.UTF_8);
            chunks.add(c);
            hashes.add(sha(c));
            whole.write(c);
        }
        String id = Sha256.fileId(hashes);
        Map<String, byte[]> paths = new ConcurrentHashMap<>();
        paths.put("/api/v1/files/" + id, manifest(whole.size(), hashes.toArray(String[]::new)));
        for (int i = 0; i < chunks.size(); i++) {
            paths.put("/api/v1/chunks/" + hashes.get(i), chunks.get(i));
        }
        // A chunk request is answered once two chunk requests were under way together, or after 5 s (within the
        // fetcher's 10 s timeout): a sequential fetcher never has two, and the test fails.
        CountDownLatch together = new CountDownLatch(2);
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Consumer<String> gate = path -> {
            if (!path.startsWith("/api/v1/chunks/")) {
                return;
            }
            most.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            together.countDown();
            try {
                together.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            concurrent.decrementAndGet();
        };
        List<AtomicInteger> hits = List.of(new AtomicInteger(), new AtomicInteger(), new AtomicInteger());
        URI[] urls = new URI[3];
        for (int k = 0; k < 3; k++) {
            urls[k] = serve(paths, hits.get(k), gate);
        }
        ChunkFetcher f = fetcher(1 << 20, urls);

        try (InputStream in = new WorkerFiles(f).open(id)) {
            assertThat(in.readAllBytes()).isEqualTo(whole.toByteArray());
        }
        assertThat(most.get()).as("chunk requests under way at once").isGreaterThanOrEqualTo(2);
        assertThat(hits).as("requests per coordinator: the manifest, and a third of the chunks each")
                .extracting(AtomicInteger::get).containsExactly(5, 4, 4);
        assertThat(f.badChunks()).isZero();
    }

    @Test
    void manifestThatIsNotTheFileAskedFor_refused() throws Exception {
        byte[] one = "x".getBytes(StandardCharsets.UTF_8);
        String asked = Sha256.fileId(List.of(sha("y".getBytes(StandardCharsets.UTF_8))));
        URI liar = serve(Map.of("/api/v1/files/" + asked, manifest(1, sha(one))), new AtomicInteger());
        assertThatThrownBy(() -> fetcher(1 << 20, liar).manifest(asked)).isInstanceOf(IOException.class)
                .hasMessageContaining("not file " + asked);
    }

    @Test
    void cachePastItsQuota_evictsTheLeastRecentlyUsed() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-12-05T00:00:00Z"), ZoneOffset.UTC);
        ChunkCache cache = new ChunkCache(dir.resolve("c"), 250, clock);
        byte[][] chunks = {new byte[100], new byte[100], new byte[100]};
        for (int i = 0; i < 3; i++) {
            chunks[i][0] = (byte) i;
        }
        cache.put(sha(chunks[0]), new java.io.ByteArrayInputStream(chunks[0]), 1000);
        cache.put(sha(chunks[1]), new java.io.ByteArrayInputStream(chunks[1]), 1000);
        assertThat(cache.get(sha(chunks[0]))).isPresent(); // 0 is now more recent than 1
        cache.put(sha(chunks[2]), new java.io.ByteArrayInputStream(chunks[2]), 1000);
        assertThat(cache.contains(sha(chunks[1]))).isFalse();
        assertThat(cache.contains(sha(chunks[0]))).isTrue();
        assertThat(cache.contains(sha(chunks[2]))).isTrue();
        assertThat(cache.used()).isEqualTo(200);
        assertThat(dir.resolve("c").resolve(sha(chunks[1]))).doesNotExist();
        assertThatThrownBy(() -> cache.put(sha(chunks[1]), new java.io.ByteArrayInputStream(chunks[2]), 1000))
                .isInstanceOf(ChunkCache.BadChunkException.class);
    }

    /** A file of {@code sizes.length} chunks of those sizes (bytes i % 251), served with {@code manifestSize}/{@code chunkSize}. */
    record Served(String id, byte[] bytes, Map<String, byte[]> paths) {
    }

    static Served file(long manifestSize, int chunkSize, int... sizes) {
        Map<String, byte[]> paths = new ConcurrentHashMap<>();
        List<String> shas = new ArrayList<>();
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (int size : sizes) {
            byte[] c = new byte[size];
            for (int i = 0; i < size; i++) {
                c[i] = (byte) ((all.size() + i) % 251);
            }
            all.writeBytes(c);
            shas.add(sha(c));
            paths.put("/api/v1/chunks/" + sha(c), c);
        }
        String id = Sha256.fileId(shas);
        paths.put("/api/v1/files/" + id, ("{\"id\":\"" + id + "\",\"complete\":true,\"size\":" + manifestSize + ",\"chunkSize\":"
                + chunkSize + ",\"chunks\":[\"" + String.join("\",\"", shas) + "\"]}").getBytes(StandardCharsets.UTF_8));
        return new Served(id, all.toByteArray(), paths);
    }

    @Test
    void openAtAnOffset_fetchesOnlyTheChunksFromThere_andGivesTheBytesFromThere() throws Exception {
        Served f = file(10_500, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 500);
        List<String> asked = java.util.Collections.synchronizedList(new ArrayList<>());
        WorkerFiles files = new WorkerFiles(fetcher(1 << 20, serve(f.paths(), new AtomicInteger(), asked::add)));

        assertThat(files.size(f.id())).isEqualTo(10_500);
        try (InputStream in = files.open(f.id(), 5_500)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(f.bytes(), 5_500, 10_500));
        }
        assertThat(asked.stream().filter(p -> p.startsWith("/api/v1/chunks/")).count()).as("chunks 5 to 10 only").isEqualTo(6);
        try (InputStream in = files.open(f.id(), 10_500)) {
            assertThat(in.read()).as("at the end").isEqualTo(-1);
        }
        assertThatThrownBy(() -> files.open(f.id(), 10_501)).isInstanceOf(IOException.class)
                .hasMessage("offset 10501 is outside file " + f.id() + " of 10500 bytes");
    }

    @Test
    void manifestWhoseSizesDoNotFitItsChunks_failsTheRead_ratherThanShiftingOffsets() throws Exception {
        // Real chunks of 1000, 1000 and 500 bytes, declared as chunks of 900 in a file of 2300: offsets would move.
        Served f = file(2_300, 900, 1000, 1000, 500);
        WorkerFiles files = new WorkerFiles(fetcher(1 << 20, serve(f.paths(), new AtomicInteger())));
        try (InputStream in = files.open(f.id(), 950)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class)
                    .hasMessage("chunk 1 of file " + f.id() + " has 1000 bytes, not the 900 its manifest's size and chunk size"
                            + " give it");
        }
    }
    @Test
    void read_onAFullDisk_failsNamingTheChunkAndFile_withoutBlamingOrAskingTheSources() throws Exception {
        byte[] one = new byte[32 << 10];
        new java.util.Random(7).nextBytes(one);
        String id = Sha256.fileId(List.of(sha(one)));
        Map<String, byte[]> paths = Map.of("/api/v1/files/" + id, manifest(one.length, sha(one)), "/api/v1/chunks/" + sha(one), one);
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        URI a = serve(paths, first);
        URI b = serve(paths, second);
        try (org.enjambre.worker.testkit.SmallDisk disk = new org.enjambre.worker.testkit.SmallDisk(1 << 20)) {
            ChunkFetcher f = new ChunkFetcher(List.of(a, b), () -> "tok",
                    new ChunkCache(disk.path("/chunks"), 64L << 20, Clock.systemUTC()), Duration.ofSeconds(10));
            disk.fillLeaving(0);

            assertThatThrownBy(() -> {
                try (InputStream in = new WorkerFiles(f).open(id)) {
                    in.readAllBytes();
                }
            }).isInstanceOf(CacheWriteException.class)
                    .hasMessageStartingWith("disk full while caching chunk " + sha(one) + " of file " + id + ": ");
            assertThat(first.get() + second.get()).as("the manifest only: a full disk is not a source's fault").isEqualTo(1);
            assertThat(f.badChunks()).isZero();

            disk.makeRoom();
            try (InputStream in = new WorkerFiles(f).open(id)) {
                assertThat(in.readAllBytes()).isEqualTo(one);
            }
        }
    }
}
