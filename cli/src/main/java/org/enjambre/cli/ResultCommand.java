package org.enjambre.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
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
        try {
            var r = client.api().raw("/api/v1/jobs/" + job + "/result");
            String type = ApiClient.lines(r.headers().firstValue("Content-Type").orElse("application/octet-stream"));
            if (output == null && !type.startsWith("application/json")) {
                output = Path.of(job + (type.equals("image/png") ? ".png" : ".bin"));
            }
            if (output != null) {
                Files.write(output, r.body());
                spec.commandLine().getOut().println("result (" + type + ", " + r.body().length + " bytes) written to " + output.toAbsolutePath());
            } else {
                spec.commandLine().getOut().println(ApiClient.lines(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8)));
            }
            return 0;
        } catch (ApiClient.ApiError e) {
            spec.commandLine().getErr().println("result: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            spec.commandLine().getErr().println("result: cannot write " + output + ": " + e.getMessage());
            return 1;
        }
    }
}
