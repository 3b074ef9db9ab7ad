package org.enjambre.workunits.wasm;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The input of one wasm work unit: which module to run, by SHA-256, the uploaded files it may read, by id (its own
 * first, then the job's shared ones: the numbering of {@code enjambre.file_*}), and the bytes its {@code run} export
 * receives. On the wire it is the 64 hex digits of the hash, each file id preceded by a space, a newline, then the
 * payload; a unit that reads no files is the hash, a newline and the payload, as before files existed.
 *
 * @param sha256  the module's lowercase hex SHA-256
 * @param files   the ids of the files the unit reads, in the order the module numbers them
 * @param payload the bytes handed to the module's {@code run}
 */
public record WasmUnitInput(String sha256, List<String> files, byte[] payload) {
    private static final int HASH = 64;

    public WasmUnitInput {
        if (!WasmModules.isSha256(sha256)) {
            throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits, not '" + sha256 + "'");
        }
        files = List.copyOf(files);
        for (String f : files) {
            if (!WasmModules.isSha256(f)) {
                throw new IllegalArgumentException("a file id is 64 lowercase hex digits, not '" + f + "'");
            }
        }
        payload = Objects.requireNonNull(payload, "payload").clone();
    }

    /** A unit that reads no files. */
    public WasmUnitInput(String sha256, byte[] payload) {
        this(sha256, List.of(), payload);
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The unit input bytes: the hash, {@code ' ' + id} per file, {@code '\n'}, the payload. */
    public byte[] encode() {
        int header = HASH + files.size() * (HASH + 1) + 1;
        byte[] out = new byte[header + payload.length];
        System.arraycopy(sha256.getBytes(StandardCharsets.US_ASCII), 0, out, 0, HASH);
        int at = HASH;
        for (String f : files) {
            out[at++] = ' ';
            System.arraycopy(f.getBytes(StandardCharsets.US_ASCII), 0, out, at, HASH);
            at += HASH;
        }
        out[at++] = '\n';
        System.arraycopy(payload, 0, out, at, payload.length);
        return out;
    }

    /**
     * Reads what {@link #encode()} wrote.
     *
     * @throws IllegalArgumentException when {@code bytes} do not start with a hash, file ids and a newline
     */
    public static WasmUnitInput decode(byte[] bytes) {
        if (bytes == null || bytes.length <= HASH) {
            throw malformed();
        }
        String sha = new String(bytes, 0, HASH, StandardCharsets.US_ASCII);
        List<String> files = new ArrayList<>();
        int at = HASH;
        while (bytes[at] == ' ') {
            if (bytes.length <= at + HASH + 1) {
                throw malformed();
            }
            files.add(new String(bytes, at + 1, HASH, StandardCharsets.US_ASCII));
            at += HASH + 1;
        }
        if (bytes[at] != '\n') {
            throw malformed();
        }
        return new WasmUnitInput(sha, files, Arrays.copyOfRange(bytes, at + 1, bytes.length));
    }

    private static IllegalArgumentException malformed() {
        return new IllegalArgumentException("a wasm unit input starts with a module's 64-digit sha256, the ids of the"
                + " files it reads (each after a space) and a newline");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WasmUnitInput u && sha256.equals(u.sha256) && files.equals(u.files)
                && Arrays.equals(payload, u.payload);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * sha256.hashCode() + files.hashCode()) + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "WasmUnitInput[" + sha256 + ", " + files.size() + " files, " + payload.length + " bytes]";
    }
}
