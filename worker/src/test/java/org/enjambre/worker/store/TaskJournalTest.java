package org.enjambre.worker.store;

import org.enjambre.worker.protocol.AssignedTask;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class TaskJournalTest {
    @TempDir
    Path tmp;

    private final AtomicInteger fsyncs = new AtomicInteger();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private static StoredTask task(String id, long acceptedAt) {
        return new StoredTask(new AssignedTask(id, "noop", new byte[] {1, 2, 3}, "2030-01-01T00:00:00Z", 0, 0.5, null), "w-1", acceptedAt);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Opens the data directory and its journal, counting fsyncs; {@link #crash} drops both like kill -9. */
    private TaskJournal open() throws IOException {
        DataDir dir = DataDir.open(tmp);
        TaskJournal journal = TaskJournal.open(dir, channel -> {
            fsyncs.incrementAndGet();
            channel.force(false);
        });
        open.add(journal::abandon);
        open.add(dir);
        return journal;
    }

    private void crash() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        open.clear();
    }

    @Test
    void accept_aFetchedBatch_isOneFsync_andSurvivesACrash() throws Exception {
        TaskJournal journal = open();
        journal.accept(List.of(task("j/1/0", 20), task("j/0/0", 10), task("j/2/0", 30)));
        assertThat(fsyncs).hasValue(1);
        crash();

        TaskJournal again = open();
        assertThat(again.tasks()).extracting(StoredTask::id).containsExactly("j/0/0", "j/1/0", "j/2/0");
        StoredTask first = again.tasks().get(0);
        assertThat(first.task().input()).containsExactly(1, 2, 3);
        assertThat(first.task().deadlineEpochMillis()).isEqualTo(1893456000000L);
        assertThat(first.workerId()).isEqualTo("w-1");
    }

    @Test
    void commit_ofManyFinishedResults_isOneFsync_andTheyBecomeReportable() throws Exception {
        TaskJournal journal = open();
        List<StoredTask> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(task("j/" + i + "/0", i));
        }
        journal.accept(batch);
        for (int i = 0; i < 100; i++) {
            journal.finish(OutboxEntry.output("j/" + i + "/0", bytes("out" + i), i));
        }
        assertThat(journal.committed()).isEmpty(); // not durable, so not reportable
        assertThat(journal.uncommitted()).isEqualTo(100);
        int before = fsyncs.get();
        assertThat(journal.commit()).hasSize(100);
        assertThat(fsyncs.get() - before).isEqualTo(1);
        assertThat(journal.commit()).isEmpty();
        assertThat(fsyncs.get() - before).isEqualTo(1);
        assertThat(journal.syncs()).isEqualTo(2);
        crash();

        TaskJournal again = open();
        assertThat(again.tasks()).isEmpty();
        assertThat(again.committed()).hasSize(100).first().satisfies(e -> {
            assertThat(e.id()).isEqualTo("j/0/0");
            assertThat(e.output()).isEqualTo(bytes("out0"));
        });
    }

    @Test
    void finish_notCommittedBeforeACrash_leavesTheTaskToRunAgain() throws Exception {
        TaskJournal journal = open();
        journal.accept(List.of(task("j/1/0", 1)));
        journal.finish(OutboxEntry.output("j/1/0", bytes("never reported"), 2));
        assertThat(journal.holds("j/1/0")).isFalse();
        assertThat(journal.result("j/1/0")).isPresent();
        crash();

        TaskJournal again = open();
        assertThat(again.holds("j/1/0")).isTrue();
        assertThat(again.result("j/1/0")).isEmpty();
        assertThat(again.results()).isZero();
    }

    @Test
    void finish_differentOutputForTheSameTask_keepsTheFirst_alsoAfterARestart() throws Exception {
        TaskJournal journal = open();
        OutboxEntry first = OutboxEntry.output("j/2/1", bytes("1"), 1);
        assertThat(journal.finish(first)).isEqualTo(first);
        assertThat(journal.finish(OutboxEntry.output("j/2/1", bytes("2"), 5)).output()).isEqualTo(bytes("1"));
        journal.commit();
        assertThat(journal.finish(OutboxEntry.error("j/2/1", "boom", 6)).output()).isEqualTo(bytes("1"));
        assertThat(journal.results()).isEqualTo(1);
        crash();

        TaskJournal again = open();
        assertThat(again.finish(OutboxEntry.output("j/2/1", bytes("second"), 9)).output()).isEqualTo(bytes("1"));
        assertThat(again.uncommitted()).isZero();
    }

    @Test
    void forget_isWrittenLazily_withTheNextRecord() throws Exception {
        TaskJournal journal = open();
        journal.finish(OutboxEntry.output("j/3/0", bytes("a"), 1));
        journal.commit();
        int before = fsyncs.get();
        journal.forget(List.of("j/3/0"));
        assertThat(fsyncs.get()).isEqualTo(before);
        assertThat(journal.committed()).isEmpty();
        crash();

        TaskJournal again = open(); // the forget was not written: the result is reported again (counted once)
        assertThat(again.committed()).extracting(OutboxEntry::id).containsExactly("j/3/0");
        again.forget(List.of("j/3/0"));
        again.accept(List.of(task("j/4/0", 5))); // carries the forget
        crash();

        assertThat(open().committed()).isEmpty();
    }

    @Test
    void close_writesPendingForgets() throws Exception {
        TaskJournal journal = open();
        journal.finish(OutboxEntry.output("j/5/0", bytes("a"), 1));
        journal.commit();
        journal.forget(List.of("j/5/0"));
        journal.close();
        crash();
        assertThat(open().results()).isZero();
    }

    @Test
    void tornWrite_atTheEnd_isIgnoredOnRestart_andTheJournalGoesOn() throws Exception {
        TaskJournal journal = open();
        journal.accept(List.of(task("j/1/0", 1), task("j/2/0", 2)));
        crash();
        Path file = tmp.resolve(TaskJournal.FILE);
        long intact = Files.size(file);
        // A second batch whose write a kill -9 cut short: its header and part of its payload.
        byte[] payload = StoreJson.MAPPER.writeValueAsBytes(new TaskJournal.Batch(List.of(task("j/3/0", 3)), null, null));
        byte[] frame = java.nio.ByteBuffer.allocate(JournalFile.HEADER + payload.length)
                .putInt(payload.length).putInt(JournalFile.crc(payload)).put(payload).array();
        Files.write(file, Arrays.copyOf(frame, frame.length / 2), StandardOpenOption.APPEND);

        TaskJournal again = open();
        assertThat(again.tasks()).extracting(StoredTask::id).containsExactly("j/1/0", "j/2/0");
        assertThat(Files.size(file)).isEqualTo(intact); // the torn tail is cut off
        again.accept(List.of(task("j/4/0", 4)));
        crash();
        assertThat(open().tasks()).extracting(StoredTask::id).containsExactly("j/1/0", "j/2/0", "j/4/0");
    }

    @Test
    void damagedRecord_checksumMismatch_isIgnoredWithWhatFollows() throws Exception {
        TaskJournal journal = open();
        journal.accept(List.of(task("j/1/0", 1)));
        long firstEnd = Files.size(tmp.resolve(TaskJournal.FILE));
        journal.accept(List.of(task("j/2/0", 2)));
        crash();
        Path file = tmp.resolve(TaskJournal.FILE);
        byte[] all = Files.readAllBytes(file);
        all[(int) firstEnd + JournalFile.HEADER + 3] ^= 0x55; // flip bits inside the second record's payload
        Files.write(file, all);

        assertThat(open().tasks()).extracting(StoredTask::id).containsExactly("j/1/0");
    }

    @Test
    void garbageFile_opensEmpty_withoutThrowing() throws Exception {
        Files.write(tmp.resolve(TaskJournal.FILE), bytes("this is not a journal at all, just some text"));
        TaskJournal journal = open();
        assertThat(journal.tasks()).isEmpty();
        assertThat(journal.results()).isZero();
    }

    @Test
    void compaction_keepsOnlyWhatIsLive() throws Exception {
        TaskJournal journal = open();
        byte[] big = new byte[64 * 1024];
        int n = (int) (TaskJournal.COMPACT_BYTES / big.length) + 20;
        for (int i = 0; i < n; i++) {
            String id = "j/" + i + "/0";
            journal.accept(List.of(new StoredTask(new AssignedTask(id, "noop", big, null, 1, 1, null), "w-1", i)));
            journal.finish(OutboxEntry.output(id, bytes("r" + i), i));
            journal.commit();
            if (i < n - 1) {
                journal.forget(List.of(id));
            }
        }
        journal.accept(List.of(task("j/held/0", n)));
        assertThat(Files.size(tmp.resolve(TaskJournal.FILE))).isLessThan(TaskJournal.COMPACT_BYTES);
        crash();

        TaskJournal again = open();
        assertThat(again.committed()).extracting(OutboxEntry::id).containsExactly("j/" + (n - 1) + "/0");
        assertThat(again.tasks()).extracting(StoredTask::id).containsExactly("j/held/0");
    }

    @Test
    void open_importsTheOldOneFilePerTaskLayout() throws Exception {
        Files.createDirectories(tmp.resolve("tasks"));
        Files.createDirectories(tmp.resolve("outbox"));
        Files.write(tmp.resolve("tasks/j%2F1%2F0.json"), StoreJson.MAPPER.writeValueAsBytes(task("j/1/0", 1)));
        Files.write(tmp.resolve("outbox/j%2F0%2F0.json"), StoreJson.MAPPER.writeValueAsBytes(OutboxEntry.output("j/0/0", bytes("x"), 1)));

        TaskJournal journal = open();
        assertThat(journal.tasks()).extracting(StoredTask::id).containsExactly("j/1/0");
        assertThat(journal.committed()).extracting(OutboxEntry::id).containsExactly("j/0/0");
        assertThat(tmp.resolve("tasks")).isEmptyDirectory();
        assertThat(tmp.resolve("outbox")).isEmptyDirectory();
        crash();
        assertThat(open().tasks()).extracting(StoredTask::id).containsExactly("j/1/0");
    }
}
