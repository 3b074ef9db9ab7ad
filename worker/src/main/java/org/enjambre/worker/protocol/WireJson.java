package org.enjambre.worker.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON of the messages a worker exchanges once per task (fetch answers, tasks, report bodies and their
 * acknowledgements), read and written with Jackson's streaming API instead of data binding: the same bytes and the
 * same leniency as the data-bound records had (unknown fields skipped, {@code null} for a missing value, scalars
 * coerced between text and numbers), at a fraction of the code run per task (see docs/engineering-notes.md,
 * "The worker's CPU per round-trip"). Anything else (an array where an object belongs, a number out of range,
 * malformed JSON) is an {@link IOException} naming the field; the caller changes no state on it.
 *
 * <p>Stateless and thread-safe.
 */
public final class WireJson {
    /** The one factory: default limits (as the data-binding mapper it replaces had). */
    public static final JsonFactory FACTORY = new JsonFactory();

    private WireJson() {
    }

    /** A fetch answer: {@code {"tasks":[TASK...],"outputFileBytes":N,"chunkBytes":N}}. */
    record FetchAnswer(List<AssignedTask> tasks, Long outputFileBytes, Integer chunkBytes) {
    }

    static FetchAnswer readFetchAnswer(byte[] body) throws IOException {
        try (JsonParser p = FACTORY.createParser(body)) {
            startRoot(p, "fetch answer");
            List<AssignedTask> tasks = List.of();
            Long outputFileBytes = null;
            Integer chunkBytes = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "tasks" -> tasks = value == JsonToken.VALUE_NULL ? List.of() : readTasks(p);
                    case "outputFileBytes" -> outputFileBytes = value == JsonToken.VALUE_NULL ? null : readLong(p, field);
                    case "chunkBytes" -> chunkBytes = value == JsonToken.VALUE_NULL ? null : readInt(p, field);
                    default -> p.skipChildren();
                }
            }
            return new FetchAnswer(tasks, outputFileBytes, chunkBytes);
        }
    }

    private static List<AssignedTask> readTasks(JsonParser p) throws IOException {
        expect(p, JsonToken.START_ARRAY, "tasks");
        List<AssignedTask> tasks = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            try {
                tasks.add(readTask(p));
            } catch (IOException e) {
                throw new IOException("tasks[" + tasks.size() + "]: " + e.getMessage(), e);
            }
        }
        return tasks;
    }

    /** Reads one TASK object; the parser is on its {@code START_OBJECT}. */
    public static AssignedTask readTask(JsonParser p) throws IOException {
        expect(p, JsonToken.START_OBJECT, "a task");
        String id = null;
        String app = null;
        byte[] input = null;
        String deadline = null;
        long deadlineMillis = 0;
        double cost = 0;
        String blob = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "id" -> id = readText(p, "id");
                case "app" -> app = readText(p, "app");
                case "input" -> input = readBytes(p, "input");
                case "deadline" -> deadline = readText(p, "deadline");
                case "deadlineMillis" -> deadlineMillis = p.currentToken() == JsonToken.VALUE_NULL ? 0 : readLong(p, "deadlineMillis");
                case "cost" -> cost = readDouble(p, "cost");
                case "blob" -> blob = readText(p, "blob");
                default -> p.skipChildren();
            }
        }
        return new AssignedTask(id, app, input, deadline, deadlineMillis, cost, blob);
    }

    /** Writes one TASK object as the data-bound record was written (nulls left out). */
    public static void writeTask(JsonGenerator g, AssignedTask t) throws IOException {
        g.writeStartObject();
        writeTextField(g, "id", t.id());
        writeTextField(g, "app", t.app());
        if (t.input() != null) {
            g.writeFieldName("input");
            g.writeBinary(t.input());
        }
        writeTextField(g, "deadline", t.deadline());
        g.writeNumberField("deadlineMillis", t.deadlineMillis());
        g.writeNumberField("cost", t.cost());
        writeTextField(g, "blob", t.blob());
        g.writeEndObject();
    }

    /** A report body: {@code {"results":[{"id","output"|"error"|"outputFile"}...]}}. */
    static byte[] writeReport(List<ReportItem> items) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(64 + items.size() * 96)) {
            try (JsonGenerator g = FACTORY.createGenerator(out)) {
                g.writeStartObject();
                g.writeArrayFieldStart("results");
                for (ReportItem item : items) {
                    g.writeStartObject();
                    writeTextField(g, "id", item.id());
                    if (item.output() != null) {
                        g.writeFieldName("output");
                        g.writeBinary(item.output());
                    }
                    writeTextField(g, "error", item.error());
                    writeTextField(g, "outputFile", item.outputFile());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a report", e); // in memory: does not happen
        }
    }

    /** A report's acknowledgement: {@code {"accepted":[id...],"rejected":[{"id","code","message"}...]}}. */
    static ReportAck readReportAck(byte[] body) throws IOException {
        try (JsonParser p = FACTORY.createParser(body)) {
            startRoot(p, "report answer");
            List<String> accepted = null;
            List<ReportAck.Rejection> rejected = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("accepted") && value != JsonToken.VALUE_NULL) {
                    expect(p, JsonToken.START_ARRAY, field);
                    accepted = new ArrayList<>();
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        accepted.add(readText(p, "accepted[]"));
                    }
                } else if (field.equals("rejected") && value != JsonToken.VALUE_NULL) {
                    expect(p, JsonToken.START_ARRAY, field);
                    rejected = new ArrayList<>();
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        rejected.add(readRejection(p));
                    }
                } else {
                    p.skipChildren();
                }
            }
            return new ReportAck(accepted == null ? null : nonNull(accepted, "accepted"), rejected);
        }
    }

    private static ReportAck.Rejection readRejection(JsonParser p) throws IOException {
        expect(p, JsonToken.START_OBJECT, "rejected[]");
        String id = null;
        String code = null;
        String message = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "id" -> id = readText(p, "rejected[].id");
                case "code" -> code = readText(p, "rejected[].code");
                case "message" -> message = readText(p, "rejected[].message");
                default -> p.skipChildren();
            }
        }
        return new ReportAck.Rejection(id, code, message);
    }

    /** Moves to the root object; an empty body, a {@code null} or anything but an object is refused. */
    private static void startRoot(JsonParser p, String what) throws IOException {
        JsonToken first = p.nextToken();
        if (first != JsonToken.START_OBJECT) {
            throw new IOException("the " + what + " is not a JSON object (" + (first == null ? "empty body" : first.asString()) + ")");
        }
    }

    private static void expect(JsonParser p, JsonToken token, String where) throws IOException {
        if (p.currentToken() != token) {
            throw new IOException(where + " should be " + (token == JsonToken.START_ARRAY ? "an array" : "an object")
                    + ", got " + describe(p));
        }
    }

    /** Text, or a number or boolean as its text (as data binding coerced them), or {@code null}. */
    private static String readText(JsonParser p, String where) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (!t.isScalarValue()) {
            throw new IOException(where + " should be text, got " + describe(p));
        }
        return p.getText();
    }

    private static byte[] readBytes(JsonParser p, String where) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw new IOException(where + " should be base64 text, got " + describe(p));
        }
        return p.getBinaryValue();
    }

    private static long readLong(JsonParser p, String where) throws IOException {
        JsonToken t = p.currentToken();
        try {
            if (t == JsonToken.VALUE_NUMBER_INT) {
                return p.getLongValue();
            }
            if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                double d = p.getDoubleValue();
                if (d >= -0x1p63 && d < 0x1p63) {
                    return (long) d;
                }
            } else if (t == JsonToken.VALUE_STRING) {
                return Long.parseLong(p.getText().trim());
            }
        } catch (NumberFormatException | IOException e) {
            throw new IOException(where + " is not a whole number in range: " + e.getMessage(), e);
        }
        throw new IOException(where + " should be a whole number, got " + describe(p));
    }

    private static int readInt(JsonParser p, String where) throws IOException {
        long value = readLong(p, where);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IOException(where + " is out of range: " + value);
        }
        return (int) value;
    }

    private static double readDouble(JsonParser p, String where) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return 0;
        }
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getDoubleValue();
        }
        if (t == JsonToken.VALUE_STRING) {
            try {
                return Double.parseDouble(p.getText().trim());
            } catch (NumberFormatException e) {
                throw new IOException(where + " is not a number: " + e.getMessage(), e);
            }
        }
        throw new IOException(where + " should be a number, got " + describe(p));
    }

    private static void writeTextField(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    private static <T> List<T> nonNull(List<T> values, String where) throws IOException {
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) == null) {
                throw new IOException(where + "[" + i + "] is null");
            }
        }
        return values;
    }

    private static String describe(JsonParser p) {
        JsonToken t = p.currentToken();
        return t == null ? "nothing" : switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "text";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.name();
        };
    }
}
