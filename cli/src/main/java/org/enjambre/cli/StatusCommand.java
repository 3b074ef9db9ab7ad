package org.enjambre.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code enjambre status [JOB]}: one job in detail, or every job in a table. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show one job, or all jobs.")
public final class StatusCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "JOB", description = "a job id")
    String job;

    @CommandLine.Mixin
    ClientOptions client;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            ApiClient api = client.api();
            if (job != null) {
                JsonNode j = api.get("/api/v1/jobs/" + job);
                out.println(ApiClient.lines(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(j)));
                return 0;
            }
            out.printf("%-14s %-10s %-11s %7s  %s%n", "ID", "APP", "STATE", "DONE", "NAME");
            for (JsonNode j : api.get("/api/v1/jobs").get("jobs")) {
                out.printf("%-14s %-10s %-11s %6.1f%%  %s%n", ApiClient.text(j, "id"), ApiClient.text(j, "app"),
                        ApiClient.text(j, "state"), j.get("progress").asDouble() * 100, ApiClient.text(j, "name"));
            }
            return 0;
        } catch (ApiClient.ApiError e) {
            spec.commandLine().getErr().println("status: " + e.getMessage());
            return 1;
        } catch (java.io.IOException e) {
            spec.commandLine().getErr().println("status: " + e.getMessage());
            return 1;
        }
    }
}
