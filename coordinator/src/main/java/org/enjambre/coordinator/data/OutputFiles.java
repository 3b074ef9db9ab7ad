package org.enjambre.coordinator.data;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.enjambre.coordinator.errors.NotFoundException;
import org.enjambre.coordinator.model.FileRecord;
import org.enjambre.coordinator.store.Json;
import org.enjambre.workunits.app.OutputFile;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Units' outputs kept as uploaded files (README, "Outputs as files"). Decides the one form a reported output takes in
 * its unit, whatever form the worker used, so replicas compare by content hash: an output of more than
 * {@link Limits#threshold} bytes is an {@link OutputFile} reference (an inline one is stored as a file here first),
 * a smaller one is inline bytes (a small file is read back). Blocking: call off event loops.
 */
public final class OutputFiles {
    /** The default threshold above which an output is a file: 1 MiB. */
    public static final long DEFAULT_THRESHOLD = 1L << 20;
    /** The default largest output file: 4 GiB. */
    public static final long DEFAULT_MAX_BYTES = 4L << 30;

    /** The most bytes of one output file a merge that reads outputs (not a concatenation) may read: 64 MiB. */
    public static final long MERGE_READ_LIMIT = 64L << 20;

    /** Outputs above {@code threshold} bytes are files; none may exceed {@code maxBytes}. */
    public record Limits(long threshold, long maxBytes) {
        public Limits {
            if (threshold < 0 || maxBytes < threshold) {
                throw new IllegalArgumentException("the output file threshold must be from 0 to the largest output size");
            }
        }

        public static Limits defaults() {
            return new Limits(DEFAULT_THRESHOLD, DEFAULT_MAX_BYTES);
        }
    }

    /** What a reported output becomes: the bytes its unit keeps, or why it is refused (retry), or why it is an error. */
    public record Outcome(byte[] output, String refusalCode, String message) {
        static Outcome ok(byte[] output) {
            return new Outcome(output, null, null);
        }

        static Outcome refused(String code, String message) {
            return new Outcome(null, code, message);
        }

        static Outcome error(String message) {
            return new Outcome(null, null, message);
        }
    }

    private final DataService data;
    private final Limits limits;

    public OutputFiles(DataService data, Limits limits) {
        this.data = data;
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /** The chunk size workers must cut output files into (the cluster's). */
    public int chunkBytes() {
        return data.options().chunkBytes();
    }

    /** The form an inline output takes: a client error when it forges a reference, stored as a file when large. */
    public Outcome inline(byte[] output) throws IOException {
        if (OutputFile.is(output)) {
            return Outcome.error("the output starts with the reserved output-file marker; report a file with outputFile");
        }
        if (output.length <= limits.threshold()) {
            return Outcome.ok(output);
        }
        if (output.length > limits.maxBytes()) {
            return Outcome.error(tooLarge(output.length));
        }
        return Outcome.ok(store(output).encode());
    }

    /**
     * The form a reported output file takes: refused while unknown or incomplete (the worker uploads it and reports
     * again), a client error when over the size limit, inline bytes when small, else its reference.
     */
    public Outcome file(String id) throws IOException {
        if (!Hashes.valid(id)) {
            return Outcome.error("outputFile must be a file id (64 lowercase hex digits)");
        }
        FileRecord f;
        try {
            f = data.file(id);
        } catch (NotFoundException e) {
            return Outcome.refused("OUTPUT_FILE_UNKNOWN", "no file " + id + " is declared; upload the output, then report it again");
        }
        if (!f.complete()) {
            return Outcome.refused("OUTPUT_FILE_INCOMPLETE", "output file " + id + " is missing chunks; upload them, then report again");
        }
        if (f.size() > limits.maxBytes()) {
            return Outcome.error(tooLarge(f.size()));
        }
        if (f.size() <= limits.threshold()) {
            try (InputStream in = data.content(f)) {
                return Outcome.ok(in.readAllBytes());
            }
        }
        return Outcome.ok(new OutputFile(f.id(), f.size()).encode());
    }

    private String tooLarge(long size) {
        return "an output of " + size + " bytes is over this coordinator's limit of " + limits.maxBytes()
                + " bytes per output (--max-output-mb)";
    }

    /** Stores {@code bytes} as a file, chunk by chunk (only missing chunks are written), and indexes it complete. */
    public OutputFile store(byte[] bytes) throws IOException {
        int chunk = chunkBytes();
        List<String> chunks = new ArrayList<>();
        for (int from = 0; from < bytes.length; from += chunk) {
            int len = Math.min(chunk, bytes.length - from);
            java.security.MessageDigest md = Hashes.sha256();
            md.update(bytes, from, len);
            String sha = Hashes.hex(md.digest());
            chunks.add(sha);
            if (!data.local().has(sha)) {
                data.receive(sha, new ByteArrayInputStream(bytes, from, len), false);
            }
        }
        ObjectNode manifest = Json.MAPPER.createObjectNode().put("name", "output").put("size", bytes.length).put("chunkSize", chunk);
        ArrayNode list = manifest.putArray("chunks");
        chunks.forEach(list::add);
        DataService.Declared d = data.declare(manifest);
        if (!d.missing().isEmpty()) {
            throw new UncheckedIOException(new IOException("output file " + d.file().id() + " lost chunks while it was stored"));
        }
        return new OutputFile(d.file().id(), bytes.length);
    }

    /** The bytes of an output file, refused when larger than {@code limit} (merges that need the bytes). */
    public byte[] read(OutputFile ref, long limit) throws IOException {
        if (ref.size() > limit) {
            throw new IOException("an output file of " + ref.size() + " bytes is over the limit of " + limit
                    + " bytes for merges that read outputs (only concatenating merges stream output files)");
        }
        try (InputStream in = open(ref)) {
            return in.readAllBytes();
        }
    }

    /** The content of an output file, chunk after chunk. */
    public InputStream open(OutputFile ref) {
        return data.content(record(ref));
    }

    /** The indexed file of an output (404 when it was dropped). */
    public FileRecord record(OutputFile ref) {
        return data.file(ref.id());
    }
}
