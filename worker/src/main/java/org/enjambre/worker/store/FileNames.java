package org.enjambre.worker.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Turns a task id such as {@code j-4k2m9q/3/1} into a safe, unique file name stem. Lowercase letters,
 * digits, {@code -} and {@code _} stay; every other byte becomes {@code %XX} (uppercase letters too,
 * so names stay distinct on case-insensitive file systems). Very long ids are cut and suffixed with
 * a hash. The id itself is always stored inside the file, so names need not be reversible.
 */
public final class FileNames {
    static final int MAX_STEM = 160;

    private FileNames() {
    }

    /** The file name stem for {@code id}; distinct ids give distinct stems. */
    public static String escape(String id) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("a task id must not be empty");
        }
        StringBuilder stem = new StringBuilder(id.length() + 8);
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                stem.append((char) c);
            } else {
                stem.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        if (stem.length() <= MAX_STEM) {
            return stem.toString();
        }
        return stem.substring(0, MAX_STEM - 65) + "~" + sha256Hex(id.getBytes(StandardCharsets.UTF_8));
    }

    /** The lowercase hex SHA-256 of {@code bytes}. */
    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
