package org.enjambre.worker.store;

import org.enjambre.worker.protocol.AssignedTask;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Journal records written by the streaming writer are the bytes data binding wrote, and read back the same. */
class JournalJsonTest {
    private static final StoredTask FULL = new StoredTask(new AssignedTask("j/1/0", "wasm", new byte[] {9, 8, 7},
            "2030-01-01T00:00:00Z", 1893456000000L, 0.3333333333333333, "c".repeat(64)), "w-1", 1700000000000L);
    private static final StoredTask SPARSE = new StoredTask(new AssignedTask("j/2/1", "noop", new byte[0], null, 0, 0, null), null, 5);

    private static void assertSameAsDataBinding(TaskJournal.Batch batch) throws IOException {
        byte[] written = JournalJson.write(batch);
        assertThat(new String(written, StandardCharsets.UTF_8)).isEqualTo(StoreJson.MAPPER.writeValueAsString(batch));
        TaskJournal.Batch back = StoreJson.MAPPER.readValue(written, TaskJournal.Batch.class);
        assertThat(back.results()).isEqualTo(batch.results());
        assertThat(back.forget()).isEqualTo(batch.forget());
        assertThat(back.tasks()).hasSameSizeAs(batch.tasks());
        for (int i = 0; i < batch.tasks().size(); i++) {
            AssignedTask want = batch.tasks().get(i).task();
            AssignedTask got = back.tasks().get(i).task();
            assertThat(got.input()).containsExactly(want.input());
            assertThat(List.of(got.id(), got.app(), String.valueOf(got.deadline()), String.valueOf(got.blob()), got.deadlineMillis(), got.cost()))
                    .containsExactly(want.id(), want.app(), String.valueOf(want.deadline()), String.valueOf(want.blob()), want.deadlineMillis(), want.cost());
            assertThat(back.tasks().get(i).workerId()).isEqualTo(batch.tasks().get(i).workerId());
            assertThat(back.tasks().get(i).acceptedAtMillis()).isEqualTo(batch.tasks().get(i).acceptedAtMillis());
        }
    }

    @Test
    void write_fetchedBatch_isWhatDataBindingWrote() throws IOException {
        assertSameAsDataBinding(new TaskJournal.Batch(List.of(FULL, SPARSE), List.of(), List.of("j/0/0")));
    }

    @Test
    void write_committedResults_isWhatDataBindingWrote() throws IOException {
        assertSameAsDataBinding(new TaskJournal.Batch(List.of(), List.of(OutboxEntry.output("j/1/0", new byte[] {1, 2, 3, 4}, 17),
                OutboxEntry.error("j/2/1", "app failed: \"quoted\"\nand a newline", 18), OutboxEntry.output("j/3/0", new byte[0], 19)), List.of()));
    }

    @Test
    void write_emptyAndForgetOnly_isWhatDataBindingWrote() throws IOException {
        assertSameAsDataBinding(new TaskJournal.Batch(List.of(), List.of(), List.of()));
        assertSameAsDataBinding(new TaskJournal.Batch(List.of(), List.of(), List.of("a", "b")));
    }
}
