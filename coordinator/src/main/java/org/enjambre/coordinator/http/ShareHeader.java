package org.enjambre.coordinator.http;

import org.enjambre.coordinator.errors.InvalidInputException;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The header {@code X-Enjambre-Share} a worker sends with {@code GET /api/v1/files/{id}} when it shares its chunk
 * cache ({@code --share-cache}): its share server's URL, {@code http://HOST:PORT}. Host {@code 0.0.0.0} (or
 * {@code [::]}) means "the address you see me at" (the request's remote address).
 */
final class ShareHeader {
    static final String NAME = "X-Enjambre-Share";
    private static final int MAX_LENGTH = 200;

    private ShareHeader() {
    }

    /** The share URL the header names (null without the header); a bad one is a 400 naming the header. */
    static String parse(String value, String remoteHost) {
        if (value == null) {
            return null;
        }
        URI uri;
        try {
            uri = value.length() > MAX_LENGTH ? null : new URI(value.strip());
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || !"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1
                || uri.getPort() > 65535 || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getUserInfo() != null) {
            throw InvalidInputException.of(NAME + " must be the worker's share URL http://HOST:PORT (at most "
                    + MAX_LENGTH + " characters, no path)", NAME);
        }
        boolean any = uri.getHost().equals("0.0.0.0") || uri.getHost().equals("[::]");
        String host = any ? remoteHost : uri.getHost();
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + uri.getPort();
    }
}
