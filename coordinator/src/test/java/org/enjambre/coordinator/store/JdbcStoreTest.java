package org.enjambre.coordinator.store;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.WorkUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The H2 store's deferred writes ({@link Store#writeLater}), on a real database file: when they reach the
 * durable store (its journal, then the table), how they coalesce with other writes of the same record, and
 * that a newer row always wins. A fake ticker decides when a deferred record falls due, so "not yet
 * written" is a fact, not a race. The journal itself is {@link UnitJournalTest}'s subject.
 */
class JdbcStoreTest {
    private static final long DELAY = Store.DEFERRED_WRITE_DELAY.toNanos();

    @TempDir
    Path dir;
    final AtomicLong ticker = new AtomicLong(1_000_000_000L);
    JdbcStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private static WorkUnit unit(String job, int index, long version) {
        return StoreRows.unit(job, index, version);
    }

    private static JobRecord job(String id, JobState state, long version) {
        return StoreRows.job(id, state, version);
    }

    /**
     * The version of the unit's row in the table itself (not through the store), or -1 when it has none;
     * what the store journaled is applied to the table first (its compaction, otherwise on a timer).
     */
    private long tableVersion(String job, int index) throws SQLException {
        assertThat(store.compact()).as("compacted").isTrue();
        return StoreRows.tableVersion(dir, job, index);
    }

    private long tableRows() throws SQLException {
        assertThat(store.compact()).as("compacted").isTrue();
        try (Connection c = DriverManager.getConnection(JdbcStore.h2Url(dir));
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM units")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void writeLater_isReadAtOnce_andReachesTheTableOnlyOnceItsDelayPassed() throws SQLException {
        store = JdbcStore.h2(dir, ticker::get);
        store.writeLater(new Store.Batch(List.of(unit("j1", 0, 1)), List.of(), List.of(job("j1", JobState.RUNNING, 2))));

        assertThat(store.unit("j1", 0)).hasValueSatisfying(u -> assertThat(u.version()).isEqualTo(1));
        assertThat(store.units("j1")).containsOnlyKeys(0);
        assertThat(store.job("j1")).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.RUNNING));
        assertThat(store.jobs()).extracting(JobRecord::id).containsExactly("j1");
        assertThat(store.deferredCount()).isEqualTo(2);
        assertThat(tableVersion("j1", 0)).as("row before the delay passed").isEqualTo(-1);

        ticker.addAndGet(DELAY);
        await().atMost(Duration.ofSeconds(5)).until(() -> store.deferredCount() == 0);
        assertThat(tableVersion("j1", 0)).isEqualTo(1);
        assertThat(store.job("j1")).hasValueSatisfying(j -> assertThat(j.version()).isEqualTo(2));
    }

    @Test
    void unitVersions_areTheCommittedOnes_ofTheIndexRangeOnly() {
        store = JdbcStore.h2(dir, ticker::get);
        store.writeNow(Store.Batch.units(List.of(unit("j1", 0, 4), unit("j1", 1, 2), unit("j1", 5, 9), unit("j2", 1, 3))));
        store.writeLater(Store.Batch.units(List.of(unit("j1", 2, 1), unit("j1", 1, 3))));

        assertThat(store.unitVersions("j1", 0, 5)).isEqualTo(java.util.Map.of(0, 4L, 1, 2L));
        assertThat(store.unitVersions("j1", 5, 6)).isEqualTo(java.util.Map.of(5, 9L));
        assertThat(store.unitVersions("j3", 0, 100)).isEmpty();
    }

    @Test
    void writeLater_withTheSystemClock_reachesTheTableAfterTheDelay() throws SQLException {
        store = JdbcStore.h2(dir);
        long start = System.nanoTime();
        store.writeLater(Store.Batch.units(List.of(unit("j1", 3, 7))));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> tableVersion("j1", 3) == 7);
        assertThat(System.nanoTime() - start).as("nanoseconds until written (half the delay at least)").isGreaterThanOrEqualTo(DELAY / 2);
        assertThat(store.deferredCount()).isZero();
    }

    @Test
    void aRecordDeferredAgain_isWrittenOnTheDelayOfItsFirstDeferral_atItsNewestVersion() throws SQLException {
        store = JdbcStore.h2(dir, ticker::get);
        store.writeLater(Store.Batch.units(List.of(unit("j1", 0, 1))));
        ticker.addAndGet(DELAY / 4);
        store.writeLater(Store.Batch.units(List.of(unit("j1", 0, 2))));
        assertThat(tableVersion("j1", 0)).isEqualTo(-1);

        ticker.addAndGet(DELAY * 3 / 4); // due by the first deferral, three quarters of the delay after the second
        await().atMost(Duration.ofSeconds(5)).until(() -> tableVersion("j1", 0) == 2);
        assertThat(store.unitRowsWritten()).as("unit rows written").isEqualTo(1);
    }

    /**
     * A deferred record half-way through its delay rides with the next group instead of costing a commit of its own
     * when it falls due; a younger one keeps waiting.
     */
    @Test
    void deferredRecordsHalfwayThroughTheDelay_rideWithTheNextWrite_youngerOnesWait() throws SQLException {
        store = JdbcStore.h2(dir, ticker::get);
        store.writeLater(Store.Batch.units(List.of(unit("j1", 0, 1))));
        ticker.addAndGet(DELAY / 2);
        store.writeLater(Store.Batch.units(List.of(unit("j1", 1, 1))));
        store.writeNow(Store.Batch.units(List.of(unit("j1", 2, 1))));

        assertThat(tableVersion("j1", 0)).as("half-way: rode with the write").isEqualTo(1);
        assertThat(tableVersion("j1", 2)).isEqualTo(1);
        assertThat(tableVersion("j1", 1)).as("deferred just now").isEqualTo(-1);
        assertThat(store.deferredCount()).isEqualTo(1);
    }

    @Test
    void deferredVersions_coalesceToTheNewest_andAreWrittenOnce() throws SQLException {
        store = JdbcStore.h2(dir, ticker::get);
        for (long v : new long[] {1, 2, 4, 3}) { // 3 arrives after 4, as from a slower thread
            store.writeLater(Store.Batch.units(List.of(unit("j1", 0, v))));
        }
        assertThat(store.deferredCount()).isEqualTo(1);
        assertThat(store.unit("j1", 0)).hasValueSatisfying(u -> assertThat(u.version()).isEqualTo(4));

        ticker.addAndGet(DELAY);
        await().atMost(Duration.ofSeconds(5)).until(() -> store.deferredCount() == 0);
        assertThat(tableVersion("j1", 0)).isEqualTo(4);
        assertThat(store.unitRowsWritten()).isEqualTo(1);
    }

    @Test
    void aSynchronousWriteOfANewerVersion_makesTheDeferredOneUseless_andOnlyTheNewerIsWritten() throws SQLException {
        store = JdbcStore.h2(dir, ticker::get);
        store.writeLater(Store.Batch.units(List.of(unit("j1", 0, 3), unit("j1", 1, 3)))); // issued
        store.writeNow(Store.Batch.units(List.of(unit("j1", 0, 5)))); // reported before the delay passed

        assertThat(store.deferredCount()).as("deferred records left").isEqualTo(1);
        assertThat(tableVersion("j1", 0)).isEqualTo(5);
        assertThat(tableVersion("j1", 1)).isEqualTo(-1);
        assertThat(store.unitRowsWritten()).isEqualTo(1);

        ticker.addAndGet(DELAY);
        await().atMost(Duration.ofSeconds(5)).until(() -> store.deferredCount() == 0);
        assertThat(tableVersion("j1", 0)).isEqualTo(5);
        assertThat(tableVersion("j1", 1)).isEqualTo(3);
        assertThat(store.unitRowsWritten()).isEqualTo(2);
    }

    @Test
    void aDeferredOlderVersion_neverOverwritesANewerSynchronousWrite() throws SQLException {
        store = JdbcStore.h2(dir, ticker::get);
        store.writeNow(Store.Batch.units(List.of(unit("j1", 0, 5))));
        store.writeLater(Store.Batch.units(List.of(unit("j1", 0, 3)))); // from a thread that lost the race
        assertThat(store.unit("j1", 0)).hasValueSatisfying(u -> assertThat(u.version()).isEqualTo(5));
        assertThat(store.units("j1").get(0).version()).isEqualTo(5);

        ticker.addAndGet(DELAY);
        await().atMost(Duration.ofSeconds(5)).until(() -> store.deferredCount() == 0);
        assertThat(tableVersion("j1", 0)).isEqualTo(5);
        assertThat(store.unit("j1", 0)).hasValueSatisfying(u -> assertThat(u.version()).isEqualTo(5));
    }

    @Test
    void manyDeferredRecords_areWrittenWithoutWaitingForTheDelay() throws SQLException {
        store = JdbcStore.h2(dir, ticker::get);
        List<WorkUnit> many = new ArrayList<>();
        for (int i = 0; i < JdbcStore.MAX_DEFERRED; i++) {
            many.add(unit("j1", i, 1));
        }
        store.writeLater(Store.Batch.units(many)); // the ticker never moves
        await().atMost(Duration.ofSeconds(10)).until(() -> store.deferredCount() == 0);
        assertThat(tableRows()).isEqualTo(JdbcStore.MAX_DEFERRED);
    }

    @Test
    void close_writesEveryDeferredRecord() {
        store = JdbcStore.h2(dir, ticker::get);
        store.writeNow(new Store.Batch(List.of(), List.of(), List.of(job("j1", JobState.QUEUED, 1))));
        store.writeLater(new Store.Batch(List.of(unit("j1", 0, 1), unit("j1", 2, 4)), List.of(),
                List.of(job("j1", JobState.RUNNING, 2))));
        store.close(); // the ticker never moved: nothing was due

        store = JdbcStore.h2(dir);
        assertThat(store.units("j1")).containsOnlyKeys(0, 2);
        assertThat(store.units("j1").get(2).version()).isEqualTo(4);
        assertThat(store.job("j1")).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.RUNNING));
    }

    @Test
    void crash_losesDeferredRecords_butNoCommittedWrite() {
        store = JdbcStore.h2(dir, ticker::get);
        store.writeNow(new Store.Batch(List.of(unit("j1", 1, 6)), List.of(), List.of(job("j1", JobState.RUNNING, 2))));
        store.writeLater(Store.Batch.units(List.of(unit("j1", 0, 1), unit("j1", 1, 5))));
        store.crash();
        assertThatThrownBy(() -> store.writeLater(Store.Batch.units(List.of(unit("j1", 0, 2)))))
                .isInstanceOf(StoreException.class).hasMessageContaining("the store is closed");

        store = JdbcStore.h2(dir);
        assertThat(store.units("j1")).containsOnlyKeys(1);
        assertThat(store.units("j1").get(1).version()).isEqualTo(6);
        assertThat(store.job("j1")).hasValueSatisfying(j -> assertThat(j.version()).isEqualTo(2));
    }

    @Test
    void aClosedStore_refusesWrites_withAClearError() {
        store = JdbcStore.h2(dir, ticker::get);
        store.close();
        Store.Batch batch = Store.Batch.units(List.of(unit("j1", 0, 1)));

        assertThatThrownBy(() -> store.write(batch).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(StoreException.class).hasMessageContaining("the store is closed");
        assertThatThrownBy(() -> store.writeNow(batch))
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(StoreException.class)
                .hasMessageContaining("the store is closed");
        assertThatThrownBy(() -> store.writeLater(batch))
                .isInstanceOf(StoreException.class).hasMessageContaining("the store is closed");
    }
}
