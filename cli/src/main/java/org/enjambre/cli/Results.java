package org.enjambre.cli;

import org.enjambre.client.EnjambreClient;
import org.enjambre.client.JobResult;
import org.enjambre.client.SavedResult;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Printing a completed job's result: JSON to standard output, anything else (a PNG) to a file. */
final class Results {
    private Results() {
    }

    /**
     * Prints the result of job {@code id}, or streams it into {@code output} when given; a result that is not JSON
     * goes to {@code <id>.png} or {@code <id>.bin} when no output is given.
     *
     * @throws UncheckedIOException when the file cannot be written ({@code cannot write FILE: why})
     */
    static void show(EnjambreClient api, String id, Path output, PrintWriter out) {
        if (output != null) {
            SavedResult saved = api.resultTo(id, output);
            written(out, saved.contentType(), saved.size(), output);
            return;
        }
        JobResult r = api.result(id);
        if (r.isJson()) {
            out.println(Shown.lines(r.text()));
            return;
        }
        Path target = Path.of(id + (r.contentType().equals("image/png") ? ".png" : ".bin"));
        try {
            Files.write(target, r.bytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
        written(out, r.contentType(), r.size(), target);
    }

    private static void written(PrintWriter out, String type, long size, Path file) {
        out.println("result (" + Shown.lines(type) + ", " + size + " bytes) written to " + file.toAbsolutePath());
    }
}
