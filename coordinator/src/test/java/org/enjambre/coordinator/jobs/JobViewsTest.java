package org.enjambre.coordinator.jobs;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.store.JdbcStore;
import org.enjambre.coordinator.store.Store;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.spec.Redundancy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Views of finished jobs read their stored units once: counters of a failed or cancelled job never change. */
class JobViewsTest {
    @TempDir
    Path dir;
    CountingStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void countsOfACancelledJob_readItsStoredUnitsOnce() {
        store = new CountingStore(JdbcStore.h2(dir));
        JobRecord job = new JobRecord("j-c", "cancelled", "noop", "{}", 3, 0, JobState.CANCELLED, 1, 2, 3, "cancelled by a user", null, 2);
        store.writeNow(new Store.Batch(List.of(unit("j-c", 0, UnitState.FAILED), unit("j-c", 1, UnitState.NEEDS_REPLICAS)),
                List.of(), List.of(job)));
        JobViews views = new JobViews(null, null, store, AppRegistry.builtIns(), null);

        for (int view = 0; view < 5; view++) { // five renders of GET /api/v1/jobs
            long[] units = views.unitCounts(job);
            assertThat(units[UnitState.FAILED.ordinal()]).as("stored FAILED, stored unfinished, never stored").isEqualTo(3);
            assertThat(views.taskCounts(job)).hasSize(JobCounters.SIZE);
        }

        assertThat(store.unitReads.get()).isEqualTo(1);
    }

    private static WorkUnit unit(String job, int index, UnitState state) {
        return new WorkUnit(job, index, Redundancy.DEFAULT, state, List.of(Task.unsent(0), Task.unsent(1)), -1, null, 2);
    }

    /** A store that counts reads of a job's units. */
    private static final class CountingStore implements Store {
        private final Store store;
        final AtomicInteger unitReads = new AtomicInteger();

        CountingStore(Store store) {
            this.store = store;
        }

        @Override public CompletableFuture<Void> write(Batch batch) { return store.write(batch); }
        @Override public void writeLater(Batch batch) { store.writeLater(batch); }
        @Override public List<JobRecord> jobs() { return store.jobs(); }
        @Override public Optional<JobRecord> job(String id) { return store.job(id); }
        @Override public Optional<WorkUnit> unit(String jobId, int index) { return store.unit(jobId, index); }
        @Override public Map<Integer, Long> unitVersions(String jobId, int from, int to) { return store.unitVersions(jobId, from, to); }
        @Override public List<WorkerRecord> workers() { return store.workers(); }
        @Override public Optional<WorkerRecord> worker(String id) { return store.worker(id); }
        @Override public void putResult(String jobId, MergedResult result) { store.putResult(jobId, result); }
        @Override public Optional<MergedResult> result(String jobId) { return store.result(jobId); }
        @Override public void putBlob(String sha256, byte[] body) { store.putBlob(sha256, body); }
        @Override public Optional<byte[]> blob(String sha256) { return store.blob(sha256); }
        @Override public void close() { store.close(); }
        @Override public void crash() { store.crash(); }

        @Override
        public Map<Integer, WorkUnit> units(String jobId) {
            unitReads.incrementAndGet();
            return store.units(jobId);
        }
    }
}
