package org.enjambre.client;

import java.nio.charset.StandardCharsets;

/** A completed job's merged result held in memory: its content type ({@code application/json}, {@code image/png}...) and bytes. */
public record JobResult(String contentType, byte[] bytes) {

    /** Invariant: the bytes are a private copy. */
    public JobResult {
        bytes = bytes.clone();
    }

    /** The result's bytes (a copy). */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** How many bytes the result has. */
    public int size() {
        return bytes.length;
    }

    /** The result as UTF-8 text (for JSON results such as {@code {"count":664579}}). */
    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** True for a JSON result. */
    public boolean isJson() {
        return contentType.startsWith("application/json");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobResult r && r.contentType.equals(contentType) && java.util.Arrays.equals(r.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return contentType.hashCode() * 31 + java.util.Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "JobResult[" + contentType + ", " + bytes.length + " bytes]";
    }
}
