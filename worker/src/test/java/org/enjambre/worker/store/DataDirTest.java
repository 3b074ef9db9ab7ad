package org.enjambre.worker.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataDirTest {
    @TempDir
    Path tmp;

    @Test
    void open_createsLayout() throws IOException {
        try (DataDir dir = DataDir.open(tmp.resolve("w"))) {
            assertThat(dir.checkpoints()).isDirectory();
            assertThat(dir.blobs()).isDirectory();
        }
    }

    @Test
    void open_twice_refusesTheSecondWorker() throws IOException {
        try (DataDir first = DataDir.open(tmp)) {
            assertThat(first.isOpen()).isTrue();
            assertThatThrownBy(() -> DataDir.open(tmp))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("is in use by another worker");
        }
        DataDir.open(tmp).close(); // released on close
    }

    @Test
    void open_deletesLeftoversOfInterruptedWrites() throws IOException {
        Files.createDirectories(tmp.resolve("checkpoints"));
        Path leftover = Files.writeString(tmp.resolve("checkpoints").resolve(".x.ckpt123.tmp"), "half");
        Path compaction = Files.writeString(tmp.resolve(".journal.tmp"), "half a compaction");
        DataDir.open(tmp).close();
        assertThat(leftover).doesNotExist();
        assertThat(compaction).doesNotExist();
    }

    @Test
    void closed_refusesWrites() throws IOException {
        DataDir dir = DataDir.open(tmp);
        CheckpointStore checkpoints = new CheckpointStore(dir);
        dir.close();
        assertThatThrownBy(() -> checkpoints.save("j/0/0", new byte[] {1}))
                .isInstanceOf(IOException.class).hasMessageContaining("is closed");
        assertThat(dir.checkpoints()).isEmptyDirectory();
    }

    @Test
    void open_onAFile_saysSo() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> DataDir.open(file)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot use data directory " + file);
    }
}
