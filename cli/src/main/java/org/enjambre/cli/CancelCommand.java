package org.enjambre.cli;

import org.enjambre.client.EnjambreClient;
import org.enjambre.client.EnjambreException;
import org.enjambre.client.Job;
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
        try (EnjambreClient api = client.api()) {
            Job j = api.cancel(job);
            spec.commandLine().getOut().println(job + " " + j.state());
            return 0;
        } catch (EnjambreException e) {
            spec.commandLine().getErr().println("cancel: " + Shown.failure(e));
            return 1;
        }
    }
}
