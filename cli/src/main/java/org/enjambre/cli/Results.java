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
        show(api, id, output, out, null);
    }

    /**
     * As {@link #show(EnjambreClient, String, Path, PrintWriter)}; with {@code progress} (standard error) the download
     * into {@code output} shows a progress bar and is checked chunk by chunk against the result's manifest. An
     * {@code output} that is a directory gets the merged result as {@code <id>.<ext>} in it.
     */
    static void show(EnjambreClient api, String id, Path output, PrintWriter out, PrintWriter progress) {
        if (output != null && progress != null) {
            Path target = Files.isDirectory(output) ? output.resolve(id + "." + extension(api.resultType(id))) : output;
            DataCommand.Progress[] bar = new DataCommand.Progress[1];
            SavedResult saved = api.verifiedResultTo(id, target, (done, total) -> {
                if (bar[0] == null) {
                    bar[0] = new DataCommand.Progress(progress, System.console() != null, "result " + id, total);
                }
                bar[0].show(done, "verified");
            });
            if (bar[0] != null) {
                bar[0].done(saved.size());
            }
            written(out, saved.contentType(), saved.size(), target);
            return;
        }
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

    /** The file name extension of a result of this content type. */
    static String extension(String contentType) {
        String base = contentType == null ? "" : contentType.split(";")[0].trim();
        return switch (base) {
            case "application/json" -> "json";
            case "image/png" -> "png";
            case "text/plain" -> "txt";
            case "text/csv" -> "csv";
            default -> "bin";
        };
    }

    private static void written(PrintWriter out, String type, long size, Path file) {
        out.println("result (" + Shown.lines(type) + ", " + size + " bytes) written to " + file.toAbsolutePath());
    }
}
