package org.enjambre.worker.store;

import org.enjambre.worker.protocol.AssignedTask;
import org.enjambre.worker.testkit.SmallDisk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The task journal on a real disk that fills up (an in-memory file system with a size limit): a batch it cannot write
 * is not held (so the worker gives it back), a result it cannot commit is not reportable and its task stays to run
 * again, a compaction that does not fit changes nothing; nothing acknowledged is lost and the journal goes on once
 * there is room.
 */
class TaskJournalDiskFullTest {
    /** More than a disk block: a record this big always needs a new block. */
    private static final byte[] BIG = new byte[3 * SmallDisk.BLOCK];
    private SmallDisk disk = new SmallDisk(1 << 20);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        crash();
        disk.close();
    }

    private static StoredTask task(String id, byte[] input, long acceptedAt) {
        return new StoredTask(new AssignedTask(id, "noop", input, "2030-01-01T00:00:00Z", 0, 0.5, null), "w-1", acceptedAt);
    }

    private TaskJournal open() throws IOException {
        DataDir dir = DataDir.open(disk.path("/worker"));
        TaskJournal journal = TaskJournal.open(dir);
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
    void accept_onAFullDisk_throws_holdsNone_andTheJournalGoesOnOnceThereIsRoom() throws Exception {
        TaskJournal journal = open();
        journal.accept(List.of(task("j/0/0", BIG, 1)));
        disk.fillLeaving(0);

        assertThatThrownBy(() -> journal.accept(List.of(task("j/1/0", BIG, 2)))).isInstanceOf(IOException.class);
        assertThat(journal.holds("j/1/0")).as("not durable, so not taken").isFalse();
        assertThat(journal.tasks()).extracting(StoredTask::id).containsExactly("j/0/0");

        disk.makeRoom();
        journal.accept(List.of(task("j/2/0", BIG, 3)));
        crash();
        assertThat(open().tasks()).extracting(StoredTask::id).containsExactly("j/0/0", "j/2/0");
    }

    @Test
    void commit_onAFullDisk_keepsTheResultUnreportable_andItsTaskToRunAgainAfterACrash() throws Exception {
        TaskJournal journal = open();
        journal.accept(List.of(task("j/0/0", new byte[] {1}, 1)));
        journal.finish(OutboxEntry.output("j/0/0", BIG, 2));
        disk.fillLeaving(0);

        assertThatThrownBy(journal::commit).isInstanceOf(IOException.class);
        assertThat(journal.committed()).as("not durable, so not reported").isEmpty();
        assertThat(journal.uncommitted()).isEqualTo(1);
        crash();

        disk.makeRoom();
        TaskJournal again = open();
        assertThat(again.committed()).isEmpty();
        assertThat(again.tasks()).as("the task is still held: it runs again").extracting(StoredTask::id).containsExactly("j/0/0");
    }

    @Test
    void commit_onAFullDisk_succeedsOnceThereIsRoom_andTheResultSurvives() throws Exception {
        TaskJournal journal = open();
        journal.accept(List.of(task("j/0/0", new byte[] {1}, 1)));
        journal.finish(OutboxEntry.output("j/0/0", BIG, 2));
        disk.fillLeaving(0);
        assertThatThrownBy(journal::commit).isInstanceOf(IOException.class);

        disk.makeRoom();
        assertThat(journal.commit()).extracting(OutboxEntry::id).containsExactly("j/0/0");
        assertThat(journal.committed()).extracting(OutboxEntry::id).containsExactly("j/0/0");
        crash();
        assertThat(open().committed()).extracting(OutboxEntry::output).containsExactly(BIG);
    }

    @Test
    void compaction_thatDoesNotFit_leavesNoTemporaryFile_andTheCommitStands() throws Exception {
        disk.close();
        disk = new SmallDisk(8 << 20);
        TaskJournal journal = open();
        byte[] big = new byte[64 << 10];
        int n = (int) (TaskJournal.COMPACT_BYTES / big.length) + 2;
        List<String> dropped = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            journal.accept(List.of(task("j/" + i + "/0", big, i)));
            if (i < n - 2) {
                dropped.add("j/" + i + "/0");
            }
        }
        journal.forget(dropped);
        String done = "j/" + (n - 2) + "/0";
        String held = "j/" + (n - 1) + "/0";
        journal.finish(OutboxEntry.output(done, "r".getBytes(StandardCharsets.UTF_8), n));
        disk.fillLeaving(SmallDisk.BLOCK); // room for the commit's small record, not for a rewrite holding a 64 KiB task

        assertThat(journal.commit()).extracting(OutboxEntry::id).containsExactly(done);
        assertThat(journal.committed()).extracting(OutboxEntry::id).containsExactly(done);
        try (Stream<Path> files = Files.list(disk.path("/worker"))) {
            assertThat(files.map(p -> p.getFileName().toString())).doesNotContain(".journal.tmp");
        }

        disk.makeRoom();
        journal.accept(List.of(task("j/later/0", new byte[] {1}, n + 1)));
        crash();
        TaskJournal again = open();
        assertThat(again.committed()).extracting(OutboxEntry::id).containsExactly(done);
        assertThat(again.tasks()).extracting(StoredTask::id).containsExactly(held, "j/later/0");
    }
}
