package org.enjambre.cli.e2e;

import org.enjambre.cli.Enjambre;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;

/** Test support: runs the {@code enjambre} command line in this JVM and captures what it printed. */
final class Cli {
    private Cli() {
    }

    /** What a run of the command printed, and its exit code. */
    record Run(int code, String out, String err) {
    }

    /** Runs {@code enjambre args...}. */
    static Run run(String... args) {
        StringWriter err = new StringWriter();
        return run(err, args);
    }

    /** Runs {@code enjambre args...} with its standard error going to {@code err}. */
    static Run run(Writer err, String... args) {
        StringWriter out = new StringWriter();
        int code = Enjambre.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
