package org.enjambre.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code enjambre cancel JOB}. */
@Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a job that is not finished.")
public final class CancelCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB", description = "a job id")
    String job;

    @CommandLine.Mixin
    ClientOptions client;

    @Override
    public Integer call() {
        try {
            var j = client.api().delete("/api/v1/jobs/" + job);
            spec.commandLine().getOut().println(job + " " + ApiClient.text(j, "state"));
            return 0;
        } catch (ApiClient.ApiError e) {
            spec.commandLine().getErr().println("cancel: " + e.getMessage());
            return 1;
        }
    }
}
