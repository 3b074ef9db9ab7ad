package org.enjambre.coordinator.store;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.WorkUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The embedded store's journal ({@link UnitJournal}, {@link Compactor}) on real files: what it acknowledged
 * survives a crash and is replayed into the table before the store answers; a torn or corrupt record ends
 * the replay without losing what came before it; replay never takes a row back to an older version; reads
 * see journaled records; compaction writes each record's newest version once; a journal that cannot write
 * refuses writes. A fake ticker decides when a compaction falls due.
 */
class UnitJournalTest {
    private static final Duration AGE = Compactor.Settings.DEFAULT.maxAge();

    @TempDir
    Path dir;
    final AtomicLong ticker = new AtomicLong(1_000_000_000L);
    JdbcStore store;

    @AfterEach
    void close() {
        FullDisk.free();
        if (store != null) {
            store.close();
        }
    }

    private JdbcStore open(Compactor.Settings settings) {
        return open(settings, ticker::get);
    }

    private JdbcStore open(Compactor.Settings settings, LongSupplier ticker) {
        return JdbcStore.journaled(JdbcStore.h2Url(dir), dir, ticker, settings);
    }

    private JdbcStore open() {
        return open(Compactor.Settings.DEFAULT);
    }

    private static WorkUnit unit(int index, long version) {
        return StoreRows.unit("j1", index, version);
    }

    private static Store.Batch units(WorkUnit... units) {
        return Store.Batch.units(List.of(units));
    }

    private static JobRecord job(String id, long version) {
        return StoreRows.job(id, JobState.RUNNING, version);
    }

    private static WorkerRecord worker(String id, long version) {
        return new WorkerRecord(id, "hash", id, "test", 1, 1024, List.of("noop"), null, null, 0, 0,
                0, 0, 0, 0, 0, 0, false, 0, 0, version);
    }

    /** The version of the unit's row in the table itself (not through the store, nothing compacted first), or -1. */
    private long tableVersion(int index) throws SQLException {
        return StoreRows.tableVersion(dir, "j1", index);
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("enjambre-journal-\\d+\\.log")).sorted().toList();
        }
    }

    /** Where each record of the segment starts. */
    private static List<Long> recordOffsets(Path segment) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
        List<Long> out = new ArrayList<>();
        for (int at = 4; at < bytes.limit(); at += 8 + bytes.getInt(at)) {
            out.add((long) at);
        }
        return out;
    }

    /** Three acknowledged groups, units 0, 1 and 2, then a crash: the journal's one segment holds three records. */
    private Path threeGroupsThenCrash() throws IOException {
        store = open();
        for (int i = 0; i < 3; i++) {
            store.writeNow(units(unit(i, 1)));
        }
        store.crash();
        assertThat(segments()).hasSize(1);
        assertThat(recordOffsets(segments().get(0))).hasSize(3);
        return segments().get(0);
    }

    @Test
    void crash_keepsEveryAcknowledgedWrite_replayedIntoTheTableBeforeTheStoreAnswers() throws Exception {
        store = open();
        store.writeNow(new Store.Batch(List.of(unit(0, 1), unit(1, 1)), List.of(worker("w1", 3)), List.of(job("j1", 2))));
        store.writeNow(units(unit(0, 2)));
        store.crash();
        assertThat(tableVersion(0)).as("table before the restart: nothing was compacted").isEqualTo(-1);

        store = open();

        assertThat(tableVersion(0)).isEqualTo(2);
        assertThat(tableVersion(1)).isEqualTo(1);
        assertThat(store.unit("j1", 0)).hasValueSatisfying(u -> assertThat(u.version()).isEqualTo(2));
        assertThat(store.worker("w1")).hasValueSatisfying(w -> assertThat(w.version()).isEqualTo(3));
        assertThat(store.job("j1")).hasValueSatisfying(j -> assertThat(j.version()).isEqualTo(2));
        assertThat(store.unitRowsWritten()).as("unit rows written by the replay").isEqualTo(2);
    }

    /**
     * A job's merged result rides in the journal with the units of its batch (issue 16: one fsync, no H2 checkpoint, before
     * a job completes): readable at once, on disk once acknowledged, replayed after a crash, in its table once compacted.
     */
    @Test
    void crash_keepsAJournaledResultWithTheUnitsOfItsBatch_readableBeforeAndAfterTheReplay() throws Exception {
        store = open();
        MergedResult result = new MergedResult("application/json", "{\"workUnits\":1}".getBytes(StandardCharsets.UTF_8));
        store.writeNow(units(unit(0, 2)).with(new Store.Result("j1", result)));
        assertThat(store.result("j1")).as("read from the journal").hasValueSatisfying(r -> assertThat(r.body()).isEqualTo(result.body()));
        assertThat(StoreRows.resultInTable(dir, "j1")).as("nothing compacted yet").isFalse();
        store.crash();

        store = open();

        assertThat(StoreRows.resultInTable(dir, "j1")).isTrue();
        assertThat(tableVersion(0)).isEqualTo(2);
        assertThat(store.result("j1")).hasValueSatisfying(r -> {
            assertThat(r.contentType()).isEqualTo("application/json");
            assertThat(r.body()).isEqualTo(result.body());
        });
    }

    /** A result too large for the journal goes to its table, forced to disk, before the batch it rides with is queued. */
    @Test
    void aResultOverTheJournalsLimit_isInItsTableWhenTheWriteReturns() throws Exception {
        store = open();
        byte[] body = new byte[JdbcStore.JOURNALED_RESULT_BYTES + 1];
        store.writeNow(units(unit(0, 2)).with(new Store.Result("j1", new MergedResult("image/png", body))));

        assertThat(StoreRows.resultInTable(dir, "j1")).as("nothing compacted: written directly").isTrue();
        assertThat(Files.size(segments().get(0))).as("the journal holds the unit, not the result").isLessThan(4096);
        store.crash();
        store = open();
        assertThat(store.result("j1")).hasValueSatisfying(r -> assertThat(r.body()).hasSize(body.length));
        assertThat(tableVersion(0)).isEqualTo(2);
    }

    /** A journal left by the release before results were journaled (layout 1) is replayed by this one. */
    @Test
    void decode_aRecordOfTheFirstLayout_readsItsRecords_withNoResults() {
        Store.Batch batch = new Store.Batch(List.of(unit(0, 1)), List.of(worker("w1", 3)), List.of(job("j1", 2)));
        byte[] current = BatchCodec.encode(batch);
        byte[] first = java.util.Arrays.copyOf(current, current.length - 4); // layout 1 ended after the workers
        first[0] = 1;

        Store.Batch decoded = BatchCodec.decode(first);

        assertThat(decoded.units()).containsExactly(unit(0, 1));
        assertThat(decoded.workers()).extracting(WorkerRecord::version).containsExactly(3L);
        assertThat(decoded.jobs()).containsExactly(job("j1", 2));
        assertThat(decoded.results()).isEmpty();
    }

    @Test
    void replay_ofATornLastRecord_dropsIt_andKeepsEveryRecordBeforeIt() throws Exception {
        Path segment = threeGroupsThenCrash();
        try (FileChannel c = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            c.truncate(c.size() - 3); // the last write cut short
        }

        store = open();

        assertThat(store.units("j1")).containsOnlyKeys(0, 1);
        assertThat(tableVersion(1)).isEqualTo(1);
        assertThat(tableVersion(2)).isEqualTo(-1);
    }

    @Test
    void replay_stopsAtACorruptRecordInTheMiddle_appliesNothingAfterIt_andKeepsTheSegmentAside() throws Exception {
        Path segment = threeGroupsThenCrash();
        long second = recordOffsets(segment).get(1);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(second + 8 + 2); // a byte of the second record's payload
            int b = f.read();
            f.seek(second + 8 + 2);
            f.write(b ^ 0x40);
        }

        store = open();

        assertThat(store.units("j1")).containsOnlyKeys(0);
        assertThat(tableVersion(2)).as("the record after the corrupt one").isEqualTo(-1);
        assertThat(segment.resolveSibling(segment.getFileName() + ".corrupt")).exists();
    }

    @Test
    void replay_ofAJournalAlreadyApplied_changesNothing_andNeverTakesARowBackToAnOlderVersion() throws Exception {
        store = open();
        store.writeNow(units(unit(0, 1), unit(1, 1)));
        store.writeNow(units(unit(0, 2)));
        store.crash();
        Path segment = segments().get(0);
        byte[] journaled = Files.readAllBytes(segment);
        store = open(); // replays it and deletes it
        store.writeNow(units(unit(1, 7)));
        store.close();
        assertThat(segments()).isEmpty();

        Files.write(segment, journaled); // as if a crash came after the compaction's commit, before it deleted the segment
        store = open();

        assertThat(tableVersion(0)).isEqualTo(2);
        assertThat(tableVersion(1)).isEqualTo(7);
        assertThat(store.units("j1")).extractingByKey(1).satisfies(u -> assertThat(u.version()).isEqualTo(7));
        assertThat(segments()).as("segments once the replay was applied").hasSize(1);
    }

    @Test
    void reads_seeJournaledRecords_beforeAndAfterTheyReachTheTable() throws Exception {
        store = open();
        store.writeNow(new Store.Batch(List.of(unit(0, 3)), List.of(worker("w1", 2)), List.of(job("j1", 4))));
        assertThat(tableVersion(0)).as("table before any compaction").isEqualTo(-1);

        assertThat(store.unit("j1", 0)).hasValueSatisfying(u -> assertThat(u.version()).isEqualTo(3));
        assertThat(store.units("j1")).containsOnlyKeys(0);
        assertThat(store.unitVersions("j1", 0, 10)).isEqualTo(Map.of(0, 3L));
        assertThat(store.job("j1")).hasValueSatisfying(j -> assertThat(j.version()).isEqualTo(4));
        assertThat(store.jobs()).extracting(JobRecord::id).containsExactly("j1");
        assertThat(store.worker("w1")).hasValueSatisfying(w -> assertThat(w.version()).isEqualTo(2));
        assertThat(store.workers()).extracting(WorkerRecord::id).containsExactly("w1");

        assertThat(store.compact()).isTrue();
        store.writeNow(units(unit(0, 5)));
        assertThat(tableVersion(0)).isEqualTo(3);
        assertThat(store.unit("j1", 0)).hasValueSatisfying(u -> assertThat(u.version()).isEqualTo(5));
        assertThat(store.units("j1").get(0).version()).isEqualTo(5);
        assertThat(store.unitVersions("j1", 0, 1)).isEqualTo(Map.of(0, 5L));
    }

    @Test
    void aUnitWrittenThreeTimesInOneWindow_isWrittenToTheTableOnce_atItsNewestVersion_whenTheWindowEnds() throws Exception {
        store = open();
        for (long v = 1; v <= 3; v++) {
            store.writeNow(units(unit(0, v)));
        }
        assertThat(store.unitRowsWritten()).isZero();

        ticker.addAndGet(AGE.toNanos());

        // The count moves after the compaction's commit (and its checkpoint): wait for it, then look at the table.
        await().atMost(Duration.ofSeconds(10)).until(() -> store.unitRowsWritten() > 0);
        assertThat(tableVersion(0)).isEqualTo(3);
        assertThat(store.unitRowsWritten()).as("unit rows written").isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> segments().size() == 1); // the compacted one is gone
    }

    @Test
    void compaction_insertsNewRows_updatesOlderOnes_andNeverWritesAnOlderVersionOverANewerOne() throws Exception {
        store = open();
        store.writeNow(units(unit(0, 2), unit(1, 2), unit(100_000, 1))); // far apart: merged row by row
        assertThat(store.compact()).isTrue();
        store.writeNow(units(unit(0, 3), unit(2, 1)));
        store.writeNow(units(unit(1, 1))); // an older version, from a thread that lost a race
        assertThat(store.compact()).isTrue();
        store.writeNow(units(unit(100_000, 4)));
        assertThat(store.compact()).isTrue();

        assertThat(tableVersion(0)).isEqualTo(3);
        assertThat(tableVersion(1)).isEqualTo(2);
        assertThat(tableVersion(2)).isEqualTo(1);
        assertThat(tableVersion(100_000)).isEqualTo(4);
        assertThat(store.unit("j1", 1)).hasValueSatisfying(u -> assertThat(u.version()).isEqualTo(2));
    }

    /** More new rows than one multi-row insert holds ({@code Tables.INSERT_ROWS}), and a remainder: each row right. */
    @Test
    void compaction_ofManyNewUnits_insertsEveryRowOnce_withItsOwnVersion() throws Exception {
        store = open();
        int n = 2 * Tables.INSERT_ROWS + 7;
        List<WorkUnit> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(unit(i, 1 + i % 5));
        }
        store.writeNow(units(batch.toArray(WorkUnit[]::new)));
        assertThat(store.compact()).isTrue();

        assertThat(store.unitRowsWritten()).isEqualTo(n);
        for (int i = 0; i < n; i++) {
            assertThat(tableVersion(i)).as("row %d", i).isEqualTo(1 + i % 5);
        }
        assertThat(tableVersion(n)).isEqualTo(-1);
        store.close();
        store = open();
        assertThat(store.unit("j1", n - 1)).hasValueSatisfying(u -> assertThat(u.index()).isEqualTo(n - 1));
    }

    @Test
    void aJournalPastItsSize_isCompactedWithoutWaitingForItsAge() throws Exception {
        store = open(new Compactor.Settings(1, AGE, UnitJournal.Opener.PLAIN)); // every record is past the size

        store.writeNow(units(unit(0, 1)));

        await().atMost(Duration.ofSeconds(10)).until(() -> tableVersion(0) == 1); // the ticker never moves
    }

    @Test
    void close_appliesTheJournalToTheTable_andLeavesNoSegment() throws Exception {
        store = open();
        store.writeNow(units(unit(0, 4)));
        store.writeLater(units(unit(1, 2)));

        store.close();

        assertThat(segments()).isEmpty();
        assertThat(tableVersion(0)).isEqualTo(4);
        assertThat(tableVersion(1)).isEqualTo(2);
    }

    @Test
    void write_whileTheJournalsDiskIsFull_isRefused_acknowledgesNothing_andSucceedsOnceSpaceIsBack() throws Exception {
        store = open(new Compactor.Settings(16 << 20, AGE, path -> FullDisk.channel(
                FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))), System::nanoTime); // the probe runs by it
        store.writeNow(new Store.Batch(List.of(), List.of(), List.of(job("j-before", 1))));

        FullDisk.fill();
        assertThatThrownBy(() -> store.writeNow(new Store.Batch(List.of(), List.of(), List.of(job("j-during", 1)))))
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(StoreException.class)
                .hasMessageContaining("No space left on device");
        assertThat(store.writable()).isFalse();
        assertThat(store.writeFailures()).isPositive();
        assertThat(store.job("j-during")).isEmpty();

        FullDisk.free();
        await().atMost(Duration.ofSeconds(30)).until(store::writable);
        store.writeNow(new Store.Batch(List.of(), List.of(), List.of(job("j-after", 1))));
        store.crash();

        store = open();
        assertThat(store.jobs()).extracting(JobRecord::id).containsExactlyInAnyOrder("j-before", "j-after");
    }
}
