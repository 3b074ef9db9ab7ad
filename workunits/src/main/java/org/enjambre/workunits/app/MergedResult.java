package org.enjambre.workunits.app;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** A job's merged result: its bytes and their media type ({@code application/json}, {@code image/png}). */
public record MergedResult(String contentType, byte[] body) {
    public static final String JSON = "application/json";

    public MergedResult {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
    }

    public static MergedResult json(String json) {
        return new MergedResult(JSON, json.getBytes(StandardCharsets.UTF_8));
    }
}
