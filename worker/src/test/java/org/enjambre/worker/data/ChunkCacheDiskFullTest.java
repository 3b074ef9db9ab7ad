package org.enjambre.worker.data;

import org.enjambre.worker.testkit.SmallDisk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The chunk cache on a real disk that fills up (an in-memory file system of 1 MiB, so its reserve is 64 KiB): a chunk
 * the disk cannot take fails as "disk full" and leaves nothing in the cache, its temporary directory or its count; a
 * cache whose quota is larger than the disk evicts instead of filling it.
 */
class ChunkCacheDiskFullTest {
    private static final int CHUNK = 32 << 10;
    private static final long RESERVE = (1 << 20) / 16;
    private final SmallDisk disk = new SmallDisk(1 << 20);
    private final Path dir = disk.path("/worker/chunks");

    @AfterEach
    void close() throws IOException {
        disk.close();
    }

    private static byte[] chunk(int seed) {
        byte[] b = new byte[CHUNK];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha(byte[] b) {
        return ChunkFetcherTest.sha(b);
    }

    private ChunkCache cache() throws IOException {
        return new ChunkCache(dir, 64L << 20, Clock.systemUTC());
    }

    private List<Path> files(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void put_onADiskWithoutRoom_failsAsDiskFull_keepsNothing_andWorksOnceThereIsRoom() throws IOException {
        ChunkCache cache = cache();
        disk.fillLeaving(RESERVE + CHUNK / 2);
        byte[] c = chunk(1);

        assertThatThrownBy(() -> cache.put(sha(c), new ByteArrayInputStream(c), CHUNK, CHUNK))
                .isInstanceOfSatisfying(CacheWriteException.class, e -> {
                    assertThat(e.diskFull()).isTrue();
                    assertThat(e.freed()).isZero();
                    assertThat(e.getMessage()).contains("bytes free, the chunk needs " + CHUNK + " bytes and " + RESERVE
                            + " bytes stay free for the task journal");
                });
        assertThat(cache.used()).isZero();
        assertThat(cache.contains(sha(c))).isFalse();
        assertThat(files(dir)).isEmpty();
        assertThat(files(dir.resolve("tmp"))).isEmpty();

        disk.makeRoom();
        Path kept = cache.put(sha(c), new ByteArrayInputStream(c), CHUNK, CHUNK);
        assertThat(Files.readAllBytes(kept)).isEqualTo(c);
        assertThat(cache.used()).isEqualTo(CHUNK);
    }

    @Test
    void put_whenTheDiskFillsWhileWriting_deletesTheTemporaryFile_evictsOlderChunks_andCountsNothing() throws IOException {
        ChunkCache cache = cache();
        byte[] old = chunk(2);
        cache.put(sha(old), new ByteArrayInputStream(old), CHUNK, CHUNK);
        byte[] c = chunk(3);
        // Another program takes the disk's last bytes while the chunk arrives.
        InputStream arriving = new ByteArrayInputStream(c) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                int n = super.read(b, off, Math.min(len, CHUNK / 4));
                if (pos == CHUNK / 4) {
                    disk.fillLeaving(0);
                }
                return n;
            }
        };

        assertThatThrownBy(() -> cache.put(sha(c), arriving, CHUNK, CHUNK))
                .isInstanceOfSatisfying(CacheWriteException.class, e -> {
                    assertThat(e.diskFull()).isTrue();
                    assertThat(e.freed()).as("the older chunk made room").isEqualTo(CHUNK);
                    assertThat(e.getMessage()).isEqualTo("out of disk space");
                });
        assertThat(files(dir.resolve("tmp"))).as("the half-written chunk is gone").isEmpty();
        assertThat(files(dir)).isEmpty();
        assertThat(cache.used()).isZero();
        assertThat(cache.contains(sha(c))).isFalse();
        assertThat(cache.contains(sha(old))).isFalse();
    }

    @Test
    void put_pastTheDiskSize_evictsTheLeastRecentlyUsed_keepingTheReserveFree() throws IOException {
        ChunkCache cache = cache();
        int n = 40; // 1.25 MiB of chunks on a 1 MiB disk, under a 64 MiB quota
        for (int i = 0; i < n; i++) {
            byte[] c = chunk(100 + i);
            cache.put(sha(c), new ByteArrayInputStream(c), CHUNK, CHUNK);
            assertThat(disk.free()).as("after chunk %d", i).isGreaterThanOrEqualTo(RESERVE);
        }
        assertThat(cache.contains(sha(chunk(100 + n - 1)))).as("the newest stays").isTrue();
        assertThat(cache.contains(sha(chunk(100)))).as("the oldest went").isFalse();
        long onDisk = 0;
        for (Path p : files(dir)) {
            onDisk += Files.size(p);
            assertThat(cache.contains(p.getFileName().toString())).isTrue();
        }
        assertThat(cache.used()).as("counted = on the disk").isEqualTo(onDisk).isLessThanOrEqualTo((1 << 20) - RESERVE);
        assertThat(files(dir.resolve("tmp"))).isEmpty();
    }
}
