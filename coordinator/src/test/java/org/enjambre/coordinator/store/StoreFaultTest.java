package org.enjambre.coordinator.store;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.workunits.model.JobState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Storage faults heal without a restart (issue 13): with the data directory full, writes fail and the
 * store says it is not writable; once space is back, it reopens its database by itself, writes succeed
 * again, and everything acknowledged before the fault is still there.
 */
class StoreFaultTest {
    @TempDir
    Path dir;
    JdbcStore store;

    @AfterEach
    void close() {
        FullDisk.free();
        if (store != null) {
            store.close();
        }
    }

    private static JobRecord job(String id) {
        return new JobRecord(id, "a job", "noop", "{}", 4, 0, JobState.QUEUED, 1, 0, 0, null, null, 1);
    }

    private static Store.Batch jobs(JobRecord... jobs) {
        return new Store.Batch(List.of(), List.of(), List.of(jobs));
    }

    @Test
    void write_afterTheDiskWasFullAndFreedAgain_succeedsWithoutARestart() {
        store = JdbcStore.open(FullDisk.url(dir));
        store.writeNow(jobs(job("j-before")));
        assertThat(store.writable()).isTrue();

        FullDisk.fill();
        assertThatThrownBy(() -> store.writeNow(jobs(job("j-during")))).hasCauseInstanceOf(StoreException.class);
        assertThat(store.writable()).isFalse();
        assertThat(store.writeFailures()).isPositive();

        FullDisk.free();
        await().atMost(Duration.ofSeconds(30)).until(store::writable);
        store.writeNow(jobs(job("j-after")));

        assertThat(store.jobs()).extracting(JobRecord::id).contains("j-before", "j-after");
        assertThat(store.writable()).isTrue();
    }

    @Test
    void writable_healsByItsProbe_withoutAnyWriteComing() {
        store = JdbcStore.open(FullDisk.url(dir));
        FullDisk.fill();
        assertThatThrownBy(() -> store.writeNow(jobs(job("j-during")))).hasCauseInstanceOf(StoreException.class);
        assertThat(store.writable()).isFalse();

        FullDisk.free();

        await().atMost(Duration.ofSeconds(30)).until(store::writable);
        assertThat(store.job("j-during")).isEmpty(); // refused, hence never acknowledged
    }
}
