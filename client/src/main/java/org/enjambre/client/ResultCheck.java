package org.enjambre.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks a downloaded result segment by segment against its manifest ({@code GET /api/v1/jobs/{id}/result/manifest}:
 * consecutive {@code {"size", "sha256"}}, the chunks of its output files and its inline pieces), as the bytes pass:
 * a wrong segment fails the download ({@link java.io.UncheckedIOException}) as soon as it is complete. Not thread-safe.
 */
final class ResultCheck {
    private final List<Long> sizes = new ArrayList<>();
    private final List<String> hashes = new ArrayList<>();
    private final String contentType;
    private final long size;
    private final MessageDigest md;
    private int segment;
    private long inSegment;
    private long offset;

    ResultCheck(JsonNode manifest) {
        this.contentType = manifest.path("contentType").asText(null);
        this.size = manifest.path("size").asLong(-1);
        for (JsonNode s : manifest.path("segments")) {
            sizes.add(s.path("size").asLong());
            hashes.add(s.path("sha256").asText());
        }
        try {
            this.md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    String contentType() {
        return contentType;
    }

    /** The result's size, as the manifest says. */
    long size() {
        return size;
    }

    /** Feeds the next {@code n} bytes of the result. */
    void update(byte[] buffer, int n) {
        int at = 0;
        while (at < n) {
            if (segment >= sizes.size()) {
                throw mismatch("the result is longer than its manifest's " + size + " bytes");
            }
            int take = (int) Math.min(n - at, sizes.get(segment) - inSegment);
            md.update(buffer, at, take);
            at += take;
            inSegment += take;
            if (inSegment == sizes.get(segment)) {
                String got = HexFormat.of().formatHex(md.digest());
                if (!got.equals(hashes.get(segment))) {
                    throw mismatch("bytes " + offset + "-" + (offset + inSegment - 1) + " of the result do not match"
                            + " their SHA-256 " + hashes.get(segment) + " (got " + got + "); download it again");
                }
                offset += inSegment;
                inSegment = 0;
                segment++;
            }
        }
    }

    private static java.io.UncheckedIOException mismatch(String message) {
        return new java.io.UncheckedIOException(message, new IOException(message));
    }

    /** Checks that the whole result arrived. */
    void finish() {
        while (segment < sizes.size() && sizes.get(segment) == 0) {
            if (!HexFormat.of().formatHex(md.digest()).equals(hashes.get(segment))) {
                throw mismatch("an empty piece of the result does not match its hash");
            }
            segment++;
        }
        if (segment < sizes.size()) {
            throw mismatch("the result ended after " + (offset + inSegment) + " of its " + size + " bytes");
        }
    }
}
