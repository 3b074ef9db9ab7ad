package org.enjambre.coordinator;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** The rule for a peer's {@code --public-url}: an absolute http(s) URL with a host, no user info, query or fragment. */
final class PublicUrl {
    /** The longest URL accepted. */
    static final int MAX_LENGTH = 2000;

    private PublicUrl() {
    }

    /** The URL without a trailing slash; throws {@link IllegalArgumentException} naming the option when it is bad. */
    static String parse(String url) {
        String why = problem(url);
        if (why != null) {
            throw new IllegalArgumentException("--public-url '" + (url.length() > 100 ? url.substring(0, 100) + "..." : url)
                    + "' " + why + " (e.g. https://peer1.example.org or http://10.0.0.5:8080)");
        }
        String trimmed = url.strip();
        return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }

    private static String problem(String url) {
        if (url.isBlank() || url.length() > MAX_LENGTH) {
            return "must be an absolute http or https URL of at most " + MAX_LENGTH + " characters";
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            return "is not a valid URL";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "must start with http:// or https://";
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return "must name a host";
        }
        if (uri.getHost().equals("0.0.0.0")) {
            return "must name an address others can reach, not 0.0.0.0";
        }
        if (uri.getUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return "must not carry a user, a query or a fragment";
        }
        return null;
    }
}
