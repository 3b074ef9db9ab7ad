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
        description = "Print a completed job's result, or write it to --output (binary results such as PNG always go to a file).")
public final class ResultCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB", description = "a job id")
    String job;

    @Option(names = "--output", paramLabel = "FILE", description = "write the result to FILE")
    Path output;

    @CommandLine.Mixin
    ClientOptions client;

    @Override
    public Integer call() {
        try (EnjambreClient api = client.api()) {
            Results.show(api, job, output, spec.commandLine().getOut());
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
