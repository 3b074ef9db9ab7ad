package org.enjambre.coordinator.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.enjambre.coordinator.store.Json;
import org.enjambre.workunits.app.OutputFile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A concatenated job result some of whose pieces are output files (README, "Outputs as files"): the parts in unit
 * order, each inline bytes or a file, stored in place of the result's bytes as {@link #MARKER} + JSON
 * {@code {"size", "parts": [{"file", "size"} | {"inline": base64}]}}; the result route streams the parts.
 * Consecutive inline outputs form one part.
 */
public record ResultParts(long size, List<Part> parts) {
    /** The prefix of a stored result that is a list of parts, not the result's bytes. */
    public static final byte[] MARKER = "\0\0enjambre-result-parts\0".getBytes(StandardCharsets.US_ASCII);

    /** One piece: inline bytes ({@code file} null) or an output file ({@code inline} null). */
    public record Part(byte[] inline, OutputFile file) {
        public long size() {
            return inline != null ? inline.length : file.size();
        }
    }

    public ResultParts {
        parts = List.copyOf(parts);
    }

    /** Whether a stored result body is a list of parts. */
    public static boolean is(byte[] body) {
        return body.length >= MARKER.length && Arrays.equals(body, 0, MARKER.length, MARKER, 0, MARKER.length);
    }

    public static ResultParts decode(byte[] body) {
        try {
            JsonNode n = Json.MAPPER.readTree(body, MARKER.length, body.length - MARKER.length);
            List<Part> parts = new ArrayList<>();
            for (JsonNode p : n.get("parts")) {
                parts.add(p.has("file") ? new Part(null, new OutputFile(p.get("file").textValue(), p.get("size").longValue()))
                        : new Part(p.get("inline").binaryValue(), null));
            }
            return new ResultParts(n.get("size").longValue(), parts);
        } catch (IOException e) {
            throw new UncheckedIOException("a stored result's parts do not parse", e);
        }
    }

    /** The ids of the output files this result serves (referenced for data garbage collection). */
    public List<String> files() {
        return parts.stream().filter(p -> p.file() != null).map(p -> p.file().id()).toList();
    }

    public byte[] encode() {
        ObjectNode n = Json.MAPPER.createObjectNode().put("size", size);
        ArrayNode list = n.putArray("parts");
        for (Part p : parts) {
            if (p.file() != null) {
                list.addObject().put("file", p.file().id()).put("size", p.file().size());
            } else {
                list.addObject().put("inline", p.inline());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MARKER);
        out.writeBytes(n.toString().getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** Collects the canonical outputs of a concatenating merge in unit order. Not thread-safe. */
    static final class Builder {
        private final List<Part> parts = new ArrayList<>();
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private long size;
        private boolean files;

        void add(byte[] output) {
            if (OutputFile.is(output)) {
                flush();
                OutputFile f = OutputFile.decode(output);
                parts.add(new Part(null, f));
                size += f.size();
                files = true;
            } else {
                pending.writeBytes(output);
                size += output.length;
            }
        }

        private void flush() {
            if (pending.size() > 0) {
                parts.add(new Part(pending.toByteArray(), null));
                pending.reset();
            }
        }

        /** The stored body: the parts when any output is a file, else simply the outputs joined. */
        byte[] body() {
            if (!files) {
                return pending.toByteArray();
            }
            flush();
            return new ResultParts(size, parts).encode();
        }
    }
}
