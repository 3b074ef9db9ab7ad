package org.enjambre.cli;

import org.enjambre.client.ConnectionFailedException;
import org.enjambre.client.EnjambreException;
import org.enjambre.workunits.text.Printable;

/**
 * Server text made safe to print: control characters (ANSI escapes, say, in a job name stored by an older
 * coordinator) and bidirectional overrides are written as backslash-u escapes.
 */
final class Shown {
    private Shown() {
    }

    /** One line of server text, escaped; null shows as {@code null}. */
    static String text(String s) {
        return Printable.escape(String.valueOf(s));
    }

    /** Server text of several lines (a result, pretty JSON): as {@link #text}, keeping newlines and tabs. */
    static String lines(String s) {
        return Printable.escapeKeepingLines(s);
    }

    /** A failed call as one line: the server's message and the field it names, or what went wrong on the way. */
    static String failure(EnjambreException e) {
        String m = e.getMessage() + e.field().map(f -> " (field " + f + ")").orElse("");
        if (e instanceof ConnectionFailedException && e.code().equals("UNREACHABLE")) {
            m += " (is it running? set --coordinator or ENJAMBRE_COORDINATOR)";
        }
        return text(m);
    }
}
