package org.enjambre.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test helper: reads the dashboard's files from the classpath and pulls tags and attributes out of HTML. */
final class Assets {
    private static final Pattern ATTRIBUTE =
            Pattern.compile("([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s\"'>=`]+)))?");
    private static final Pattern COMMENT = Pattern.compile("<!--.*?-->", Pattern.DOTALL);

    private Assets() {
    }

    /** The text of an asset, failing the test if it is missing. */
    static String text(String asset) {
        String resource = Dashboard.resourcePath(asset);
        try (InputStream in = Assets.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new AssertionError("not on the classpath: " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** HTML without comments, so commented-out markup is not checked. */
    static String withoutComments(String html) {
        return COMMENT.matcher(html).replaceAll("");
    }

    /** The attributes of a start tag's inside (what follows the tag name), lower-cased names. */
    static Map<String, String> attributes(String inside) {
        Map<String, String> attributes = new LinkedHashMap<>();
        Matcher m = ATTRIBUTE.matcher(inside);
        while (m.find()) {
            String value = m.group(2) != null ? m.group(2) : m.group(3) != null ? m.group(3) : m.group(4);
            attributes.putIfAbsent(m.group(1).toLowerCase(java.util.Locale.ROOT), value == null ? "" : value);
        }
        return attributes;
    }
}
