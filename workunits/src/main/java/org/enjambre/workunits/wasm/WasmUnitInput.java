package org.enjambre.workunits.wasm;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The input of one wasm work unit: which module to run, by SHA-256, and the bytes its {@code run} export
 * receives. On the wire it is the 64 hex digits of the hash, a newline, then the payload.
 *
 * @param sha256  the module's lowercase hex SHA-256
 * @param payload the bytes handed to the module's {@code run}
 */
public record WasmUnitInput(String sha256, byte[] payload) {
    private static final int HEADER = 65;

    public WasmUnitInput {
        if (!WasmModules.isSha256(sha256)) {
            throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits, not '" + sha256 + "'");
        }
        payload = Objects.requireNonNull(payload, "payload").clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The unit input bytes: the hash, {@code '\n'}, the payload. */
    public byte[] encode() {
        byte[] out = new byte[HEADER + payload.length];
        System.arraycopy(sha256.getBytes(StandardCharsets.US_ASCII), 0, out, 0, 64);
        out[64] = '\n';
        System.arraycopy(payload, 0, out, HEADER, payload.length);
        return out;
    }

    /**
     * Reads what {@link #encode()} wrote.
     *
     * @throws IllegalArgumentException when {@code bytes} do not start with a hash and a newline
     */
    public static WasmUnitInput decode(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER || bytes[64] != '\n') {
            throw new IllegalArgumentException("a wasm unit input starts with a module's 64-digit sha256 and a newline");
        }
        String sha = new String(bytes, 0, 64, StandardCharsets.US_ASCII);
        return new WasmUnitInput(sha, Arrays.copyOfRange(bytes, HEADER, bytes.length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WasmUnitInput u && sha256.equals(u.sha256) && Arrays.equals(payload, u.payload);
    }

    @Override
    public int hashCode() {
        return 31 * sha256.hashCode() + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "WasmUnitInput[" + sha256 + ", " + payload.length + " bytes]";
    }
}
