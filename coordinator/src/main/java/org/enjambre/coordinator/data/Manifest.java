package org.enjambre.coordinator.data;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.errors.InvalidInputException;
import org.enjambre.workunits.text.Printable;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A file's manifest as a client posts it ({@code POST /api/v1/files}): {@code {"name", "size", "chunkSize"?,
 * "chunks": [sha256, ...]}}. Every chunk but the last holds exactly {@code chunkSize} bytes (default and maximum:
 * the coordinators' chunk size), the last the rest; so {@code chunks} has ceil(size / chunkSize) hashes.
 */
public record Manifest(String name, long size, int chunkSize, List<String> chunks) {
    /** The longest file name kept. */
    public static final int MAX_NAME = 255;
    /** Chunks per file: 100,000 × 4 MiB ≈ 390 GiB; the manifest stays under 7 MiB. */
    public static final int MAX_CHUNKS = 100_000;
    private static final Set<String> FIELDS = Set.of("name", "size", "chunkSize", "chunks");

    public Manifest {
        chunks = List.copyOf(chunks);
    }

    /** The file's id ({@link Hashes#fileId}). */
    public String id() {
        return Hashes.fileId(chunks);
    }

    /** Parses and checks a posted manifest; each rule broken is a 400 naming its field. */
    public static Manifest parse(JsonNode body, int maxChunkBytes) {
        if (body == null || !body.isObject()) {
            throw InvalidInputException.of("the manifest must be a JSON object {\"name\", \"size\", \"chunks\"}", "$");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw InvalidInputException.of("unknown field '" + Printable.escape(f) + "' (known: name, size, chunkSize, chunks)", f);
            }
        }
        JsonNode nameNode = body.get("name");
        if (nameNode == null || !nameNode.isTextual() || nameNode.asText().isEmpty() || nameNode.asText().length() > MAX_NAME
                || Printable.firstUnprintable(nameNode.asText()) >= 0) {
            throw InvalidInputException.of("name must be 1 to " + MAX_NAME + " printable characters", "name");
        }
        JsonNode sizeNode = body.get("size");
        if (sizeNode == null || !sizeNode.isIntegralNumber() || !sizeNode.canConvertToLong() || sizeNode.longValue() < 0
                || sizeNode.longValue() > (long) maxChunkBytes * MAX_CHUNKS) {
            throw InvalidInputException.of("size must be a whole number of bytes from 0 to " + (long) maxChunkBytes * MAX_CHUNKS, "size");
        }
        int chunkSize = maxChunkBytes;
        JsonNode cs = body.get("chunkSize");
        if (cs != null) {
            if (!cs.isIntegralNumber() || !cs.canConvertToInt() || cs.intValue() < 1 || cs.intValue() > maxChunkBytes) {
                throw InvalidInputException.of("chunkSize must be from 1 to " + maxChunkBytes + " bytes (this cluster's chunk size)", "chunkSize");
            }
            chunkSize = cs.intValue();
        }
        long size = sizeNode.longValue();
        long expected = (size + chunkSize - 1) / chunkSize;
        JsonNode arr = body.get("chunks");
        if (arr == null || !arr.isArray() || arr.size() != expected) {
            throw InvalidInputException.of("chunks must list the " + expected + " SHA-256 hashes of a file of " + size
                    + " bytes in chunks of " + chunkSize + " bytes", "chunks");
        }
        if (expected > MAX_CHUNKS) {
            throw InvalidInputException.of("a file has at most " + MAX_CHUNKS + " chunks", "chunks");
        }
        List<String> chunks = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
            chunks.add(Hashes.check(arr.get(i).isTextual() ? arr.get(i).asText() : null, "chunks[" + i + "]"));
        }
        return new Manifest(nameNode.asText(), size, chunkSize, chunks);
    }
}
