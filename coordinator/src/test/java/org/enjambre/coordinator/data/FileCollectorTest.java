package org.enjambre.coordinator.data;

import org.enjambre.coordinator.TestClock;
import org.enjambre.coordinator.model.FileRecord;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.store.JdbcStore;
import org.enjambre.coordinator.store.Store;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.model.JobState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FileCollector} on a real store (H2 file) and a real chunk directory, with a clock the test moves: the
 * cases the cluster test does not reach.
 */
class FileCollectorTest {
    static final Duration GRACE = Duration.ofHours(24);

    @TempDir
    Path dir;
    final TestClock clock = new TestClock();
    JdbcStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private DiskChunkStore chunks() throws IOException {
        return new DiskChunkStore(dir.resolve("chunks"), 0);
    }

    private static String put(DiskChunkStore chunks, String text) throws IOException {
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        String sha = Uploads.sha(b);
        chunks.put(sha, new ByteArrayInputStream(b), 1 << 20);
        return sha;
    }

    private FileRecord file(List<String> chunkHashes, boolean complete) {
        return new FileRecord(Hashes.fileId(chunkHashes), "f", 10L * chunkHashes.size(), 10, chunkHashes, complete, clock.millis());
    }

    private JobRecord job(String app, String spec, JobState state) {
        return new JobRecord("j-" + app, "a job", app, spec, 1, 0, state, clock.millis(), 0, 0, null, null, 1);
    }

    @Test
    void jobWhoseFilesCannotBeTold_keepsEveryFile() throws IOException {
        store = JdbcStore.h2(dir.resolve("db"));
        DiskChunkStore chunks = chunks();
        FileRecord f = file(List.of(put(chunks, "0123456789")), true);
        store.putFile(f);
        store.writeNow(new Store.Batch(List.of(), List.of(), List.of(job("wordcount", "{not json", JobState.RUNNING))));
        FileCollector collector = new FileCollector(store, chunks, FileCollector.referencedBy(AppRegistry.builtIns()), GRACE, clock);

        clock.advance(GRACE.plusHours(1));
        assertThat(collector.run()).isEqualTo(new FileCollector.Pass(List.of(), 0));
        assertThat(store.file(f.id())).isPresent();
        assertThat(chunks.has(f.chunks().get(0))).isTrue();
    }

    @Test
    void abandonedUpload_andChunksNoFileLists_collectedOnlyPastTheGrace() throws IOException {
        store = JdbcStore.h2(dir.resolve("db"));
        DiskChunkStore chunks = chunks();
        FileRecord incomplete = file(List.of(put(chunks, "abandoned!"), "ab".repeat(32)), false);
        store.putFile(incomplete);
        String stray = put(chunks, "no file!!!"); // a chunk sent without a manifest
        FileCollector collector = new FileCollector(store, chunks, FileCollector.referencedBy(AppRegistry.builtIns()), GRACE, clock);

        clock.advance(GRACE.minusMinutes(1));
        assertThat(collector.run()).isEqualTo(new FileCollector.Pass(List.of(), 0));
        assertThat(chunks.has(stray)).isTrue();

        clock.advance(Duration.ofMinutes(2));
        assertThat(collector.run()).isEqualTo(new FileCollector.Pass(List.of(incomplete.id()), 2));
        assertThat(store.file(incomplete.id())).isEmpty();
        assertThat(chunks.list()).isEmpty();
    }
}
