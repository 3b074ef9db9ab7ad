package org.enjambre.cli;

import org.enjambre.client.EnjambreClient;
import org.enjambre.client.EnjambreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code enjambre result JOB [--output FILE]}: the merged result of a completed job. */
@Command(name = "result", mixinStandardHelpOptions = true,
        description = {"Print a completed job's result, or write it to --output (binary results such as PNG always go to a file).",
                "With --output the download shows a progress bar on standard error and is checked chunk by chunk against"
                        + " the result's hashes; a directory gets the merged result as JOB.<ext> in it."})
public final class ResultCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB", description = "a job id")
    String job;

    @Option(names = "--output", paramLabel = "FILE|DIR", description = "write the result to FILE, or to DIR/JOB.<ext>")
    Path output;

    @CommandLine.Mixin
    ClientOptions client;

    @Override
    public Integer call() {
        try (EnjambreClient api = client.api()) {
            Results.show(api, job, output, spec.commandLine().getOut(), spec.commandLine().getErr());
            return 0;
        } catch (EnjambreException e) {
            spec.commandLine().getErr().println("result: " + Shown.failure(e));
            return 1;
        } catch (UncheckedIOException e) {
            spec.commandLine().getErr().println("result: " + e.getMessage());
            return 1;
        }
    }
}
