package org.enjambre.workunits.app;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A unit's output that lives in an uploaded file (README, "Outputs as files"): its file id (the content hash of its
 * chunks, README "Data") and its size. Inside a task it stands where the output bytes would, encoded as
 * {@link #MARKER} + id + {@code ':'} + size, so the unit model, its storage and the exact comparison of replicas stay
 * as they are: two references are equal bytes exactly when their files have the same content (same id).
 *
 * <p>Invariant: the coordinator never lets a worker's inline output begin with {@link #MARKER} (it would forge a
 * reference to a file nobody checked), and decides the form alone: outputs above its threshold are files, the rest
 * inline, whichever form a worker used. So replicas of one unit always carry the same form.
 */
public record OutputFile(String id, long size) {
    /** The prefix of an encoded reference: never the start of a real output (NULs around a fixed word). */
    public static final byte[] MARKER = "\0\0enjambre-output-file\0".getBytes(StandardCharsets.US_ASCII);

    public OutputFile {
        Objects.requireNonNull(id, "id");
        if (!id.matches("[0-9a-f]{64}") || size < 0) {
            throw new IllegalArgumentException("an output file is a lowercase SHA-256 id and a size, not " + id + "/" + size);
        }
    }

    /** Whether {@code output} is an encoded reference (starts with {@link #MARKER}). */
    public static boolean is(byte[] output) {
        return output != null && output.length >= MARKER.length
                && Arrays.equals(output, 0, MARKER.length, MARKER, 0, MARKER.length);
    }

    /** The reference encoded in {@code output}; {@code output} satisfies {@link #is}. */
    public static OutputFile decode(byte[] output) {
        if (!is(output)) {
            throw new IllegalArgumentException("not an output file reference");
        }
        String rest = new String(output, MARKER.length, output.length - MARKER.length, StandardCharsets.US_ASCII);
        int colon = rest.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("an output file reference without a size");
        }
        return new OutputFile(rest.substring(0, colon), Long.parseLong(rest.substring(colon + 1)));
    }

    /** This reference as output bytes. */
    public byte[] encode() {
        byte[] tail = (id + ":" + size).getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(MARKER, MARKER.length + tail.length);
        System.arraycopy(tail, 0, out, MARKER.length, tail.length);
        return out;
    }
}
