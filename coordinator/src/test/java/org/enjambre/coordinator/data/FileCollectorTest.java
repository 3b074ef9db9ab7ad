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

    @Test
    void outputFiles_keptWhileTheirJobRuns_andWhileItsCompletedResultServesThem() throws IOException {
        store = JdbcStore.h2(dir.resolve("db"));
        DiskChunkStore chunks = chunks();
        FileRecord running = file(List.of(put(chunks, "running!!!")), true);
        FileRecord served = file(List.of(put(chunks, "served!!!!")), true);
        FileRecord lost = file(List.of(put(chunks, "lost vote!")), true); // a saboteur's: no unit or result names it
        List.of(running, served, lost).forEach(store::putFile);
        byte[] ref = new org.enjambre.workunits.app.OutputFile(running.id(), 10).encode();
        org.enjambre.workunits.model.Task reported = new org.enjambre.workunits.model.Task(0,
                new org.enjambre.workunits.model.WorkerRef("w", null, null), org.enjambre.workunits.model.TaskState.OVER,
                org.enjambre.workunits.model.Outcome.SUCCESS, org.enjambre.workunits.model.ValidateState.PENDING,
                1, 2, 3, ref, org.enjambre.workunits.model.Task.digestOf(ref), null);
        org.enjambre.workunits.model.WorkUnit unit = new org.enjambre.workunits.model.WorkUnit("j-noop", 0,
                org.enjambre.workunits.spec.Redundancy.DEFAULT, org.enjambre.workunits.model.UnitState.IN_PROGRESS,
                List.of(reported, org.enjambre.workunits.model.Task.unsent(1)), -1, null, 1);
        store.writeNow(new Store.Batch(List.of(unit), List.of(), List.of(job("noop", "{\"input\":{}}", JobState.RUNNING))));
        FileCollector collector = new FileCollector(store, chunks, FileCollector.referencedBy(AppRegistry.builtIns(), store), GRACE, clock);

        clock.advance(GRACE.plusHours(1));
        JobRecord done = new JobRecord("j-done", "done", "noop", "{\"input\":{}}", 1, 0, JobState.COMPLETED, 0, 0,
                clock.millis(), null, "application/octet-stream", 2);
        store.writeNow(new Store.Batch(List.of(), List.of(), List.of(done)));
        store.putResult(done.id(), new org.enjambre.workunits.app.MergedResult("application/octet-stream",
                new org.enjambre.coordinator.jobs.ResultParts(10, List.of(new org.enjambre.coordinator.jobs.ResultParts.Part(
                        null, new org.enjambre.workunits.app.OutputFile(served.id(), 10)))).encode()));

        assertThat(collector.run().files()).containsExactly(lost.id());
        assertThat(store.file(running.id())).isPresent();
        assertThat(store.file(served.id())).isPresent();
        assertThat(chunks.has(served.chunks().get(0))).isTrue();
        assertThat(chunks.has(lost.chunks().get(0))).isFalse();
    }
}
