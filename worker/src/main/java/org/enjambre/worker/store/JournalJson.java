package org.enjambre.worker.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import org.enjambre.worker.protocol.WireJson;

import java.io.IOException;
import java.util.List;

/**
 * Writes a journal record ({@link TaskJournal.Batch}) with Jackson's streaming API: the same JSON the data-bound
 * record gave (empty lists and nulls left out, fields in component order), so journals stay readable both ways
 * across versions; reading (only when a journal is opened) keeps data binding ({@link StoreJson}).
 * One record is written per fetched batch and per group commit, but its size grows with every task in it, which is
 * why it is hand-written (see docs/engineering-notes.md, "The worker's CPU per round-trip"). Thread-safe.
 */
final class JournalJson {
    private JournalJson() {
    }

    static byte[] write(TaskJournal.Batch batch) throws IOException {
        try (ByteArrayBuilder out = new ByteArrayBuilder(256 + 160 * (batch.tasks().size() + batch.results().size()))) {
            try (JsonGenerator g = WireJson.FACTORY.createGenerator(out)) {
                g.writeStartObject();
                if (!batch.tasks().isEmpty()) {
                    g.writeArrayFieldStart("tasks");
                    for (StoredTask task : batch.tasks()) {
                        g.writeStartObject();
                        g.writeFieldName("task");
                        WireJson.writeTask(g, task.task());
                        if (task.workerId() != null) {
                            g.writeStringField("workerId", task.workerId());
                        }
                        g.writeNumberField("acceptedAtMillis", task.acceptedAtMillis());
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
                if (!batch.results().isEmpty()) {
                    g.writeArrayFieldStart("results");
                    for (OutboxEntry result : batch.results()) {
                        g.writeStartObject();
                        g.writeStringField("id", result.id());
                        if (result.error() == null) {
                            g.writeFieldName("output");
                            g.writeBinary(result.outputBytes());
                        } else {
                            g.writeStringField("error", result.error());
                        }
                        g.writeNumberField("finishedAtMillis", result.finishedAtMillis());
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
                writeIds(g, batch.forget());
                g.writeEndObject();
            }
            return out.toByteArray();
        }
    }

    private static void writeIds(JsonGenerator g, List<String> ids) throws IOException {
        if (!ids.isEmpty()) {
            g.writeArrayFieldStart("forget");
            for (String id : ids) {
                g.writeString(id);
            }
            g.writeEndArray();
        }
    }
}
