package org.enjambre.worker.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class OutboxTest {
    @TempDir
    Path tmp;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void put_survivesACrash_newInstanceSeesEntriesOldestFirst() throws IOException {
        DataDir dir = DataDir.open(tmp);
        Outbox outbox = Outbox.open(dir);
        outbox.put(OutboxEntry.output("j-1/1/0", bytes("{\"count\":7}"), 2000));
        outbox.put(OutboxEntry.error("j-1/0/0", "OutOfMemoryError", 1000));
        dir.close(); // the process dies here; nothing else is flushed

        try (DataDir again = DataDir.open(tmp)) {
            Outbox reopened = Outbox.open(again);
            assertThat(reopened.pending()).extracting(OutboxEntry::id).containsExactly("j-1/0/0", "j-1/1/0");
            assertThat(reopened.get("j-1/1/0").orElseThrow().output()).isEqualTo(bytes("{\"count\":7}"));
            assertThat(reopened.get("j-1/0/0").orElseThrow().error()).isEqualTo("OutOfMemoryError");
        }
    }

    @Test
    void put_differentOutputForSameTask_keepsTheFirst() throws IOException {
        try (DataDir dir = DataDir.open(tmp)) {
            Outbox outbox = Outbox.open(dir);
            OutboxEntry first = OutboxEntry.output("j/2/1", bytes("1"), 1);
            assertThat(outbox.put(first)).isEqualTo(first);
            OutboxEntry kept = outbox.put(OutboxEntry.output("j/2/1", bytes("2"), 5));
            assertThat(kept.output()).isEqualTo(bytes("1"));
            assertThat(outbox.put(OutboxEntry.error("j/2/1", "boom", 6)).output()).isEqualTo(bytes("1"));
            assertThat(Outbox.open(dir).get("j/2/1").orElseThrow().output()).isEqualTo(bytes("1"));
            assertThat(outbox.size()).isEqualTo(1);
        }
    }

    @Test
    void put_afterARestart_stillKeepsTheFirst() throws IOException {
        try (DataDir dir = DataDir.open(tmp)) {
            Outbox.open(dir).put(OutboxEntry.output("j/3/0", bytes("first"), 1));
        }
        try (DataDir dir = DataDir.open(tmp)) {
            OutboxEntry kept = Outbox.open(dir).put(OutboxEntry.output("j/3/0", bytes("second"), 2));
            assertThat(kept.output()).isEqualTo(bytes("first"));
        }
    }

    @Test
    void remove_deletesTheFile() throws IOException {
        try (DataDir dir = DataDir.open(tmp)) {
            Outbox outbox = Outbox.open(dir);
            outbox.put(OutboxEntry.output("j/4/0", bytes("x"), 1));
            assertThat(dir.outbox()).isNotEmptyDirectory();
            outbox.remove("j/4/0");
            assertThat(dir.outbox()).isEmptyDirectory();
            assertThat(Outbox.open(dir).pending()).isEmpty();
        }
    }

    @Test
    void open_movesAnUnreadableFileAside() throws IOException {
        try (DataDir dir = DataDir.open(tmp)) {
            Files.writeString(dir.outbox().resolve("garbage.json"), "{not json");
            Outbox outbox = Outbox.open(dir);
            assertThat(outbox.pending()).isEmpty();
            assertThat(dir.outbox().resolve("garbage.json.corrupt")).exists();
        }
    }
}
