package org.enjambre.coordinator.data;

import org.enjambre.coordinator.errors.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DiskChunkStoreTest {
    @TempDir
    Path dir;

    @Test
    void put_storesUnderItsHash_readsRanges_countsUsage_deletes() throws Exception {
        DiskChunkStore s = new DiskChunkStore(dir, 0);
        byte[] b = "hello chunk".getBytes();
        String sha = Uploads.sha(b);
        assertThat(s.put(sha, new ByteArrayInputStream(b), 100)).isEqualTo(new ChunkStore.Put(b.length, true));
        assertThat(s.put(sha, new ByteArrayInputStream(b), 100).created()).isFalse();
        assertThat(Files.exists(dir.resolve(sha.substring(0, 2)).resolve(sha))).isTrue();
        try (InputStream in = s.get(sha, 6, 5)) {
            assertThat(new String(in.readAllBytes())).isEqualTo("chunk");
        }
        assertThat(s.usage()).isEqualTo(b.length);
        assertThat(s.list()).containsExactly(sha);
        assertThat(s.delete(sha)).isTrue();
        assertThat(s.has(sha)).isFalse();
        assertThat(s.usage()).isZero();
    }

    @Test
    void reopen_countsStoredChunks_andDeletesLeftoverTemporaryFiles() throws Exception {
        DiskChunkStore s = new DiskChunkStore(dir, 0);
        byte[] b = new byte[300];
        s.put(Uploads.sha(b), new ByteArrayInputStream(b), 1000);
        Files.write(dir.resolve("tmp").resolve("half-written"), new byte[10]); // as a crash mid-write leaves it
        DiskChunkStore again = new DiskChunkStore(dir, 0);
        assertThat(again.usage()).isEqualTo(300);
        try (var tmp = Files.list(dir.resolve("tmp"))) {
            assertThat(tmp).isEmpty();
        }
    }

    @Test
    void wrongHashOrTooLong_keepsNothing() throws Exception {
        DiskChunkStore s = new DiskChunkStore(dir, 0);
        byte[] b = new byte[50];
        assertThatThrownBy(() -> s.put(Uploads.sha(new byte[49]), new ByteArrayInputStream(b), 100))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining(Uploads.sha(b));
        assertThatThrownBy(() -> s.put(Uploads.sha(b), new ByteArrayInputStream(b), 49))
                .isInstanceOf(ChunkTooLargeException.class);
        assertThat(s.list()).isEmpty();
        assertThat(s.usage()).isZero();
        s.put(Uploads.sha(b), new ByteArrayInputStream(b), 100);
        assertThatThrownBy(() -> s.put(Uploads.sha(b), new ByteArrayInputStream(new byte[51]), 100))
                .as("a wrong body for a stored chunk").isInstanceOf(InvalidInputException.class);
        try (InputStream in = s.get(Uploads.sha(b), 0, 50)) {
            assertThat(in.readAllBytes()).isEqualTo(b);
        }
        try (var tmp = Files.list(dir.resolve("tmp"))) {
            assertThat(tmp).isEmpty();
        }
    }
}
