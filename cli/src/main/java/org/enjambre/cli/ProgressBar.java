package org.enjambre.cli;

import java.io.PrintStream;

/**
 * A one-line progress bar: redrawn in place on a terminal, printed as plain lines (at most every few
 * seconds, and on every state change) otherwise.
 */
final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final boolean terminal;
    private final String label;
    private String lastLine = "";
    private long lastPrinted;

    ProgressBar(PrintStream out, boolean terminal, String label) {
        this.out = out;
        this.terminal = terminal;
        this.label = label;
    }

    static String render(String label, double fraction, long done, long total, String state) {
        double f = Math.max(0, Math.min(1, fraction));
        int filled = (int) Math.round(f * WIDTH);
        return String.format("%s [%s%s] %3d%% %d/%d units %s", label, "#".repeat(filled), ".".repeat(WIDTH - filled),
                (int) Math.floor(f * 100), done, total, state);
    }

    void update(double fraction, long done, long total, String state) {
        String line = render(label, fraction, done, total, state);
        if (terminal) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastLine.length() - line.length())));
            out.flush();
        } else {
            long now = System.currentTimeMillis();
            boolean changedState = !lastLine.endsWith(state);
            if (changedState || now - lastPrinted >= 2000) {
                out.println(line);
                lastPrinted = now;
            }
        }
        lastLine = line;
    }

    void finish() {
        if (terminal) {
            out.println();
        }
    }
}
