package org.enjambre.worker.data;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading a file from the middle: the chunks skipped over are not fetched (a unit reading its slice of a big file). */
class WorkerFilesTest {
    @TempDir
    Path dir;
    final ChunkFetcherTest stand = new ChunkFetcherTest();

    @AfterEach
    void stop() {
        stand.stop();
    }

    @Test
    void skip_overWholeChunks_fetchesNeitherThemNorTheirBytes_thenReadsFromTheRightByte() throws Exception {
        stand.dir = dir;
        Map<String, byte[]> paths = new ConcurrentHashMap<>();
        String[] hashes = new String[6];
        StringBuilder whole = new StringBuilder();
        for (int i = 0; i < hashes.length; i++) {
            String c = i == hashes.length - 1 ? "tail" : ("chunk" + i + "-").repeat(20).substring(0, 100);
            whole.append(c);
            hashes[i] = ChunkFetcherTest.sha(c.getBytes(StandardCharsets.UTF_8));
            paths.put("/api/v1/chunks/" + hashes[i], c.getBytes(StandardCharsets.UTF_8));
        }
        String id = Sha256.fileId(List.of(hashes));
        paths.put("/api/v1/files/" + id, ChunkFetcherTest.manifest(whole.length(), hashes));
        Set<String> asked = ConcurrentHashMap.newKeySet();
        URI url = stand.serve(paths, new AtomicInteger(), asked::add);
        ChunkFetcher f = new ChunkFetcher(List.of(url), () -> "tok",
                new ChunkCache(dir.resolve("chunks"), 1 << 20, java.time.Clock.systemUTC()), java.time.Duration.ofSeconds(10), 1);

        try (InputStream in = new WorkerFiles(f).open(id)) {
            assertThat(in.skip(250)).isEqualTo(250);
            assertThat(new String(in.readNBytes(100), StandardCharsets.UTF_8)).isEqualTo(whole.substring(250, 350));
            assertThat(in.skip(1000)).as("clipped at the end").isEqualTo(whole.length() - 350);
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(asked).as("chunk 0 (for the chunk size), 2 and 3 (read), 5 (the last: its size is its own)")
                .contains("/api/v1/chunks/" + hashes[0], "/api/v1/chunks/" + hashes[2], "/api/v1/chunks/" + hashes[5])
                .doesNotContain("/api/v1/chunks/" + hashes[1], "/api/v1/chunks/" + hashes[4]);
    }
}
