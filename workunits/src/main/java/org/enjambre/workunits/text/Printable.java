package org.enjambre.workunits.text;

/**
 * What may be shown on a terminal or a page as it is: text without control characters (C0, DEL, C1,
 * so no ANSI escape sequences), line or paragraph separators, or bidirectional overrides (which make
 * text read differently from its order). Names are refused when they hold any; text printed from a
 * server is escaped with {@link #escape}.
 */
public final class Printable {
    private Printable() {
    }

    /** Whether {@code c} must not be shown raw. */
    public static boolean unprintable(int c) {
        return Character.getType(c) == Character.CONTROL
                || c == 0x2028 || c == 0x2029                  // line / paragraph separator
                || (c >= 0x202A && c <= 0x202E)                // bidi embeddings and overrides
                || (c >= 0x2066 && c <= 0x2069);               // bidi isolates
    }

    /** The index of the first character of {@code s} that must not be shown raw; -1 when none (or null). */
    public static int firstUnprintable(String s) {
        if (s == null) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (unprintable(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** {@code s} with every character that must not be shown raw written as {@code \\uXXXX}. */
    public static String escape(String s) {
        return escape(s, false);
    }

    /** As {@link #escape}, but newlines and tabs stay (multi-line text such as a result). */
    public static String escapeKeepingLines(String s) {
        return escape(s, true);
    }

    private static String escape(String s, boolean keepLines) {
        if (s == null || firstUnprintable(s) < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (unprintable(c) && !(keepLines && (c == '\n' || c == '\t'))) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
