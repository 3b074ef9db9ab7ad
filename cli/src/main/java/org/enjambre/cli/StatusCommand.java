package org.enjambre.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.enjambre.client.EnjambreClient;
import org.enjambre.client.EnjambreException;
import org.enjambre.client.Job;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code enjambre status [JOB]}: one job in detail, or every job in a table. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show one job, or all jobs.")
public final class StatusCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "JOB", description = "a job id")
    String job;

    @CommandLine.Mixin
    ClientOptions client;

    @Override
    public Integer call() throws JsonProcessingException {
        PrintWriter out = spec.commandLine().getOut();
        try (EnjambreClient api = client.api()) {
            if (job != null) {
                out.println(Shown.lines(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(api.job(job).json())));
                return 0;
            }
            out.printf("%-14s %-10s %-11s %7s  %s%n", "ID", "APP", "STATE", "DONE", "NAME");
            for (Job j : api.jobs()) {
                out.printf("%-14s %-10s %-11s %6.1f%%  %s%n", Shown.text(j.id()), Shown.text(j.app()), j.state(),
                        j.progress() * 100, Shown.text(j.name()));
            }
            return 0;
        } catch (EnjambreException e) {
            spec.commandLine().getErr().println("status: " + Shown.failure(e));
            return 1;
        }
    }
}
