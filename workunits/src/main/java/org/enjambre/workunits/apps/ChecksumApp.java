package org.enjambre.workunits.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.spec.SpecException;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Checksums uploaded files, each together with its slice of one large shared file (a data set checked against a
 * reference): input {@code {"files": [fileId, ...], "shared": fileId?, "sliceBytes": n}}, one unit per file. Unit
 * {@code i} computes the CRC-32 of its file's bytes followed by bytes {@code [i·n, (i+1)·n)} of the shared file (fewer
 * at its end, none past it); the result is {@code {"bytes", "crc32sum", "files"}}: the bytes read and the sum of the
 * units' CRC-32 values. Both files are read as streams, the shared one from its slice on (the bytes before it are
 * skipped, not read), so no unit holds a file in memory; with {@code n} = ⌈shared size / files⌉ the units read the
 * whole shared file between them, each a different part.
 */
public final class ChecksumApp implements App {
    /** Files per job (as {@code wordcount}). */
    public static final int MAX_FILES = 10_000;
    /** The largest slice (1 TiB): slice × unit index stays far below 2^63. */
    public static final long MAX_SLICE = 1L << 40;
    private static final Pattern FILE_ID = Pattern.compile("[0-9a-f]{64}");
    private static final List<String> OUTPUT = List.of("bytes", "crc32");
    private static final int BUFFER = 64 << 10;
    /** A guess of one unit's work (file sizes are not in the spec): credit only. */
    private static final double COST = 0.5;

    @Override
    public String name() {
        return "checksum";
    }

    @Override
    public void validate(JsonNode input, int workUnits) throws SpecException {
        if (input == null || !input.isObject() || !input.path("files").isArray()) {
            throw new SpecException("input.files", "checksum needs input {\"files\": [fileId, ...], \"shared\": fileId, \"sliceBytes\": n}");
        }
        JsonNode files = input.get("files");
        if (files.isEmpty() || files.size() > MAX_FILES) {
            throw new SpecException("input.files", "must be a list of 1 to " + MAX_FILES + " file ids");
        }
        for (int i = 0; i < files.size(); i++) {
            fileId(files.get(i), "input.files[" + i + "]");
        }
        JsonNode shared = input.get("shared");
        JsonNode slice = input.get("sliceBytes");
        if (shared != null) {
            fileId(shared, "input.shared");
            if (slice == null || !slice.isIntegralNumber() || !slice.canConvertToLong() || slice.longValue() < 1
                    || slice.longValue() > MAX_SLICE) {
                throw new SpecException("input.sliceBytes", "must be a whole number of bytes from 1 to " + MAX_SLICE
                        + " with input.shared");
            }
        } else if (slice != null) {
            throw new SpecException("input.sliceBytes", "needs input.shared, the file it slices");
        }
        if (input.size() != (shared == null ? 1 : 3)) {
            throw new SpecException("input", "checksum's input has only the fields \"files\", \"shared\" and \"sliceBytes\"");
        }
        if (workUnits != files.size()) {
            throw new SpecException("workUnits", "checksum runs one unit per file: " + files.size());
        }
    }

    private static void fileId(JsonNode n, String field) throws SpecException {
        if (!n.isTextual() || !FILE_ID.matcher(n.asText()).matches()) {
            throw new SpecException(field, "must be a file id (64 lowercase hex digits)");
        }
    }

    @Override
    public int defaultWorkUnits(JsonNode input) {
        return input.get("files").size();
    }

    @Override
    public byte[] unitInput(JsonNode input, int workUnits, int index) {
        ObjectNode n = Json.object();
        n.put("file", input.get("files").get(index).asText());
        if (input.has("shared")) {
            long slice = input.get("sliceBytes").longValue();
            n.put("shared", input.get("shared").asText());
            n.put("offset", slice * index); // ≤ 2^40 × 10,000: no overflow
            n.put("length", slice);
        }
        return Json.bytes(n);
    }

    @Override
    public double cost(JsonNode input, int workUnits, int index) {
        return COST;
    }

    @Override
    public double maxUnitSeconds(JsonNode input, int workUnits) {
        return 0; // unknown: the spec does not carry file sizes
    }

    @Override
    public Map<String, String> inputFiles(JsonNode input) {
        return FilesPerUnit.inputFiles(input, "shared");
    }

    @Override
    public List<String> unitFiles(JsonNode input, int workUnits, int index) {
        return FilesPerUnit.unitFiles(input, index, "shared");
    }

    @Override
    public byte[] run(byte[] unitInput, RunContext context) throws IOException, RunContext.CancelledException {
        JsonNode unit = Json.unitInput(unitInput, name());
        String file = unit.path("file").asText();
        if (!FILE_ID.matcher(file).matches()) {
            throw new IllegalArgumentException("checksum unit input names no file id");
        }
        CRC32 crc = new CRC32();
        byte[] buf = new byte[BUFFER];
        long bytes;
        try (InputStream in = context.files().open(file)) {
            bytes = add(in, Long.MAX_VALUE, crc, buf, context);
        }
        if (unit.has("shared")) {
            try (InputStream in = context.files().open(unit.get("shared").asText())) {
                if (skip(in, unit.get("offset").asLong())) {
                    bytes += add(in, unit.get("length").asLong(), crc, buf, context);
                }
            }
        }
        return Json.bytes(Json.longs(OUTPUT, bytes, crc.getValue()));
    }

    /** Feeds up to {@code limit} bytes of {@code in} to {@code crc}; returns how many. */
    private static long add(InputStream in, long limit, CRC32 crc, byte[] buf, RunContext context)
            throws IOException, RunContext.CancelledException {
        long n = 0;
        while (n < limit) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, limit - n));
            if (r < 0) {
                break;
            }
            crc.update(buf, 0, r);
            n += r;
            context.checkCancelled();
        }
        return n;
    }

    /** Skips {@code offset} bytes; false when the stream ends first. */
    private static boolean skip(InputStream in, long offset) throws IOException {
        long left = offset;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) {
                    return false;
                }
                s = 1;
            }
            left -= s;
        }
        return true;
    }

    @Override
    public boolean wellFormed(byte[] output) {
        return Json.canonicalLongs(output, 200, OUTPUT.toArray(String[]::new)).isPresent();
    }

    @Override
    public Merger merger(JsonNode input, int workUnits) {
        return new Merger() {
            private long bytes;
            private long crcSum;
            private long files;

            @Override
            public void accept(int index, byte[] output) {
                long[] v = Json.canonicalLongs(output, 200, OUTPUT.toArray(String[]::new))
                        .orElseThrow(() -> new IllegalArgumentException("unit " + index + " output is malformed"));
                bytes += v[0];
                crcSum += v[1];
                files++;
            }

            @Override
            public MergedResult finish() {
                ObjectNode n = Json.longs(List.of("bytes", "crc32sum", "files"), bytes, crcSum, files);
                return MergedResult.json(new String(Json.bytes(n), java.nio.charset.StandardCharsets.UTF_8));
            }
        };
    }
}
