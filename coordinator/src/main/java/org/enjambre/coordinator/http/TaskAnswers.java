package org.enjambre.coordinator.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.buffer.Buffer;
import org.enjambre.coordinator.sched.Scheduler;
import org.enjambre.coordinator.store.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The answer to a fetch, {@code {"tasks":[...]}}, written straight to bytes (inputs base64-encoded by the
 * generator, no intermediate strings or trees). Called on worker threads: an answer may be large.
 */
final class TaskAnswers {
    /** The answer with no tasks. */
    static final Buffer EMPTY = Buffer.buffer("{\"tasks\":[]}");

    private TaskAnswers() {
    }

    /** Task id → expected cost, for the visit a browser's tasks were sized for ({@code workers/Visits}). */
    static java.util.Map<String, Double> costs(List<Scheduler.Assignment> tasks) {
        java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
        tasks.forEach(a -> out.put(a.id(), a.cost()));
        return out;
    }

    /** The ids of the reported results that carried an output and were accepted (each measures a speed). */
    static List<String> computed(List<Scheduler.Report> reports, List<String> accepted) {
        java.util.Set<String> ok = java.util.Set.copyOf(accepted);
        return reports.stream().filter(r -> r.output() != null && ok.contains(r.id())).map(Scheduler.Report::id).toList();
    }

    /**
     * The answer carrying {@code tasks}, and (optional fields, README "Outputs as files") the output size above which
     * the worker should upload its output as a file, and the chunk size to cut it into.
     */
    static Buffer encode(List<Scheduler.Assignment> tasks, org.enjambre.coordinator.data.OutputFiles outputs) {
        if (tasks.isEmpty()) {
            return EMPTY.copy();
        }
        long size = 32;
        for (Scheduler.Assignment a : tasks) {
            size += 200 + a.input().length * 4L / 3;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(size, 1 << 20));
        long formattedAt = Long.MIN_VALUE;
        String formatted = null;
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("tasks");
            for (Scheduler.Assignment a : tasks) {
                if (a.deadline() != formattedAt) { // a fetch's tasks mostly share their deadline: format it once
                    formattedAt = a.deadline();
                    formatted = Views.time(formattedAt);
                }
                g.writeStartObject();
                g.writeStringField("id", a.id());
                g.writeStringField("app", a.app());
                g.writeFieldName("input");
                g.writeBinary(a.input());
                g.writeStringField("deadline", formatted);
                g.writeNumberField("deadlineMillis", a.deadline());
                g.writeNumberField("cost", a.cost());
                g.writeStringField("blob", a.blob());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("outputFileBytes", outputs.limits().threshold());
            g.writeNumberField("chunkBytes", outputs.chunkBytes());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Buffer.buffer(out.toByteArray());
    }
}
