package org.enjambre.coordinator.sim;

import java.util.ArrayDeque;

/**
 * What a simulated run did, as text: the last {@link #KEEP} lines for a failure's report, and a 64-bit
 * hash (FNV-1a) of every line, so two runs of one seed can be compared without keeping them whole.
 */
final class Trace {
    static final int KEEP = Integer.getInteger("sim.keep", 200);
    private final ArrayDeque<String> last = new ArrayDeque<>(KEEP);
    private long hash = 0xcbf29ce484222325L;
    private long lines;

    /** Adds one line: simulated time (seconds since the start), who, and what happened. */
    void add(long millis, String who, String what) {
        String line = String.format("%9.3f %-8s %s", millis / 1000.0, who, what);
        for (int i = 0; i < line.length(); i++) {
            hash = (hash ^ line.charAt(i)) * 0x100000001b3L;
        }
        hash = (hash ^ '\n') * 0x100000001b3L;
        lines++;
        if (last.size() == KEEP) {
            last.removeFirst();
        }
        last.addLast(line);
    }

    long hash() {
        return hash;
    }

    long lines() {
        return lines;
    }

    /** The last lines, oldest first. */
    String tail() {
        return String.join("\n", last);
    }
}
