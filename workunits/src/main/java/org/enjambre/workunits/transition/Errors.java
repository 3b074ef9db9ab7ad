package org.enjambre.workunits.transition;

import org.enjambre.workunits.model.Task;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The replicas' own error messages as a failed unit's reason quotes them: the first {@value #MAX_QUOTED} distinct
 * ones in replica order, each cut to {@value #MAX_LENGTH} characters, quoted, joined by ", ".
 */
final class Errors {
    static final int MAX_QUOTED = 3;
    static final int MAX_LENGTH = 80;

    private Errors() {
    }

    /** {@code : "a", "b"} for the failed replicas' messages; empty when none has one. */
    static String quoted(List<Task> tasks) {
        Set<String> distinct = new LinkedHashSet<>();
        for (Task t : tasks) {
            if (t.failed() && t.error() != null && !t.error().isBlank() && distinct.size() < MAX_QUOTED) {
                distinct.add(shorten(t.error().strip()));
            }
        }
        if (distinct.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder(":");
        String sep = " ";
        for (String m : distinct) {
            out.append(sep).append('"').append(m).append('"');
            sep = ", ";
        }
        return out.toString();
    }

    private static String shorten(String m) {
        String oneLine = m.replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_LENGTH ? oneLine : oneLine.substring(0, MAX_LENGTH - 1) + "…";
    }
}
