package org.enjambre.coordinator.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.util.Locale;
import java.util.Map;

/**
 * Serving bytes that workers or job owners produced (results, previews, blobs) so that a browser never
 * runs them as active content on the coordinator's origin: a content type from a small safe list (any other
 * is served as {@code application/octet-stream}), {@code X-Content-Type-Options: nosniff}, a CSP that
 * allows nothing and sandboxes the document, and an attachment disposition for all but JSON, PNG and plain
 * text, which browsers show inert.
 */
final class Downloads {
    /** No scripts, styles, frames, plugins or requests; a unique opaque origin if rendered anyway. */
    static final String CSP = "default-src 'none'; sandbox";
    static final String OCTET_STREAM = "application/octet-stream";

    /** Safe types, as served, with the file name extension of an attachment. */
    private static final Map<String, String> SAFE = Map.of(
            "application/json", "json",
            "text/plain", "txt",
            "text/csv", "csv",
            "image/png", "png",
            OCTET_STREAM, "bin");
    private static final Map<String, String> SERVED_AS = Map.of(
            "text/plain", "text/plain; charset=utf-8",
            "text/csv", "text/csv; charset=utf-8");

    private Downloads() {
    }

    /** The media type (no parameters, lower case) of {@code contentType} when it is on the safe list, else octet-stream. */
    static String safeType(String contentType) {
        if (contentType == null) {
            return OCTET_STREAM;
        }
        int semi = contentType.indexOf(';');
        String base = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return SAFE.containsKey(base) ? base : OCTET_STREAM;
    }

    /** Whether browsers may show this safe type inline (JSON, PNG, plain text). */
    static boolean inline(String safeType) {
        return safeType.equals("application/json") || safeType.equals("image/png") || safeType.equals("text/plain");
    }

    /** Sends {@code body} as {@code name} (a file name stem of letters, digits, '-', '_' and '.') with the headers above. */
    static void send(HttpServerResponse response, String name, String contentType, byte[] body) {
        describe(response, name, contentType);
        response.end(Buffer.buffer(body));
    }

    /** Puts the headers of a download of {@code name} with {@code contentType} (the body is the caller's). */
    static void describe(HttpServerResponse response, String name, String contentType) {
        String type = safeType(contentType);
        headers(response);
        response.putHeader("Content-Type", SERVED_AS.getOrDefault(type, type));
        if (!inline(type)) {
            String stem = name.replaceAll("[^A-Za-z0-9._-]", "_");
            response.putHeader("Content-Disposition", "attachment; filename=\"" + stem + "." + SAFE.get(type) + "\"");
        }
    }

    /** The headers every download carries. */
    static void headers(HttpServerResponse response) {
        response.putHeader("X-Content-Type-Options", "nosniff");
        response.putHeader("Content-Security-Policy", CSP);
    }
}
