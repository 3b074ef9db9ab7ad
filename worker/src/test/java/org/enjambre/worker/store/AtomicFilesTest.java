package org.enjambre.worker.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class AtomicFilesTest {
    @TempDir
    Path tmp;

    @Test
    void write_replacesContentAndLeavesNoTemporaryFile() throws IOException {
        Path target = tmp.resolve("a.json");
        AtomicFiles.write(target, "one".getBytes());
        AtomicFiles.write(target, "two".getBytes());
        assertThat(target).hasContent("two");
        try (var files = Files.list(tmp)) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void write_byAnInterruptedThread_stillCompletes() throws Exception {
        Path target = tmp.resolve("b.json");
        AtomicBoolean wasInterrupted = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            Thread.currentThread().interrupt();
            try {
                AtomicFiles.write(target, "done".getBytes());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            wasInterrupted.set(Thread.currentThread().isInterrupted());
        });
        writer.start();
        writer.join();
        assertThat(target).hasContent("done");
        assertThat(wasInterrupted).isTrue();
    }

    @Test
    void readers_neverSeeAPartialFile() throws Exception {
        Path target = tmp.resolve("c.bin");
        byte[] a = new byte[256 * 1024];
        byte[] b = new byte[256 * 1024];
        java.util.Arrays.fill(a, (byte) 'a');
        java.util.Arrays.fill(b, (byte) 'b');
        AtomicFiles.write(target, a);
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < 40 && !stop.get(); i++) {
                    AtomicFiles.write(target, i % 2 == 0 ? b : a);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } finally {
                stop.set(true);
            }
        });
        writer.start();
        int reads = 0;
        while (!stop.get() || reads == 0) {
            byte[] seen = Files.readAllBytes(target);
            assertThat(seen.length).isEqualTo(a.length);
            assertThat(seen[0]).isEqualTo(seen[seen.length - 1]);
            reads++;
        }
        writer.join();
        assertThat(reads).isPositive();
    }
}
