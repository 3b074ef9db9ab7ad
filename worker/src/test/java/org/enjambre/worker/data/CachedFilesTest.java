package org.enjambre.worker.data;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a worker names as cached in its fetches (locality scheduling): the files read through it whose every chunk
 * is in the cache, newest first, remembered across restarts; served by a stand-in coordinator over real HTTP.
 */
class CachedFilesTest {
    @TempDir
    Path dir;
    final ChunkFetcherTest stand = new ChunkFetcherTest();
    final Map<String, byte[]> paths = new ConcurrentHashMap<>();
    URI url;

    @BeforeEach
    void serve() throws IOException {
        stand.dir = dir;
        url = stand.serve(paths, new AtomicInteger());
    }

    @AfterEach
    void stop() {
        stand.stop();
    }

    /** A file of 100-byte chunks filled with {@code fill}, served; its id. */
    String file(char fill, int chunks) {
        String[] hashes = new String[chunks];
        for (int i = 0; i < chunks; i++) {
            byte[] c = (String.valueOf(fill).repeat(99) + i).getBytes(StandardCharsets.UTF_8);
            hashes[i] = ChunkFetcherTest.sha(c);
            paths.put("/api/v1/chunks/" + hashes[i], c);
        }
        String id = Sha256.fileId(List.of(hashes));
        paths.put("/api/v1/files/" + id, ChunkFetcherTest.manifest(100L * chunks, hashes));
        return id;
    }

    private ChunkCache cache;

    /** The files read through {@code f} and the cache it was made with ({@link #fetcher}). */
    CachedFiles files(ChunkFetcher f) throws IOException {
        return new CachedFiles(new WorkerFiles(f), f, cache, dir.resolve("cached-files"));
    }

    ChunkFetcher fetcher(long quota) throws IOException {
        cache = new ChunkCache(dir.resolve("chunks"), quota, java.time.Clock.systemUTC());
        return new ChunkFetcher(List.of(url), () -> "tok", cache, java.time.Duration.ofSeconds(10));
    }

    static void read(CachedFiles files, String id) throws IOException {
        try (InputStream in = files.open(id)) {
            in.readAllBytes();
        }
    }

    @Test
    void whole_filesReadThroughIt_newestFirst_onlyWhileEveryChunkIsCached() throws Exception {
        String a = file('a', 2);
        String b = file('b', 1);
        String c = file('c', 1);
        CachedFiles files = files(fetcher(350));
        assertThat(files.whole()).isEmpty();
        assertThat(dir.resolve("cached-files")).as("no file read, no list written").doesNotExist();
        read(files, a);
        read(files, b);
        assertThat(files.whole()).containsExactly(b, a);
        files.open(c).close(); // opened, nothing read: not whole
        assertThat(files.whole()).containsExactly(b, a);
        read(files, a);
        assertThat(files.whole()).as("a read again: newest").containsExactly(a, b);
        read(files, c); // 400 bytes past the 350-byte quota: b's chunk, the least recently used, goes
        assertThat(files.whole()).containsExactly(c, a);
    }

    @Test
    void restart_listReadFromItsLog_forgedAndMalformedLinesIgnored() throws Exception {
        String a = file('a', 2);
        String b = file('b', 1);
        CachedFiles files = files(fetcher(1 << 20));
        read(files, a);
        read(files, b);
        read(files, a);
        String forged = "f".repeat(64) + " " + ChunkFetcherTest.sha(new byte[1]) + "\n";
        Files.writeString(dir.resolve("cached-files"), forged + "not a line\n" + "0".repeat(64) + "\n",
                StandardOpenOption.APPEND);
        CachedFiles again = files(fetcher(1 << 20));
        assertThat(again.whole()).containsExactly(a, b);
        assertThat(Files.readAllLines(dir.resolve("cached-files"))).as("rewritten with the files it knows, oldest first")
                .hasSize(2).first().asString().startsWith(b + " ");
    }
}
