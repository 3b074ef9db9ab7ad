package org.enjambre.worker.data;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/** SHA-256 names, as the coordinators make them: a chunk by its bytes, a file by its chunks' raw digests in order. */
final class Sha256 {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    private Sha256() {
    }

    static boolean valid(String s) {
        return s != null && HEX64.matcher(s).matches();
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String fileId(List<String> chunks) {
        MessageDigest md = digest();
        for (String c : chunks) {
            md.update(HexFormat.of().parseHex(c));
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
