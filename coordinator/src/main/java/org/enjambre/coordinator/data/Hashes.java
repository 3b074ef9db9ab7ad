package org.enjambre.coordinator.data;

import org.enjambre.coordinator.errors.InvalidInputException;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * SHA-256 names of chunks and files. A chunk is named by the SHA-256 of its bytes; a file by
 * {@link #fileId}: the SHA-256 over the concatenated raw 32-byte digests of its chunks, in order (an empty file
 * has no chunks, so its id is the SHA-256 of nothing). Names are 64 lowercase hex digits.
 */
public final class Hashes {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final HexFormat HEX = HexFormat.of();

    private Hashes() {
    }

    public static boolean valid(String hash) {
        return hash != null && SHA256.matcher(hash).matches();
    }

    /** Refuses a malformed hash with 400 {@code INVALID_HASH} naming {@code field}. */
    public static String check(String hash, String field) {
        if (!valid(hash)) {
            throw new InvalidInputException("INVALID_HASH", field + " must be a SHA-256 in 64 lowercase hex digits", field);
        }
        return hash;
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    public static String hex(byte[] digest) {
        return HEX.formatHex(digest);
    }

    /** The id of a file made of these chunks (valid hashes), in order. */
    public static String fileId(List<String> chunks) {
        MessageDigest md = sha256();
        for (String c : chunks) {
            md.update(HEX.parseHex(c));
        }
        return hex(md.digest());
    }
}
