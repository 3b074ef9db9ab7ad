package org.enjambre.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.workunits.text.Printable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code enjambre submit JOB.json}: submits a job and prints its id; {@code --wait} follows it to the end. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Submit a job spec; print its id. With --wait, show progress and exit 0 only when it completed.")
public final class SubmitCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB.json", description = "the job spec file ('-' for standard input)")
    String file;

    @CommandLine.Mixin
    ClientOptions client;

    @Option(names = "--wait", description = "show a progress bar until the job ends, then print its result")
    boolean wait;

    @Override
    public Integer call() throws Exception {
        String body;
        try {
            body = file.equals("-") ? new String(System.in.readAllBytes()) : Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + file + ": " + e.getMessage());
        }
        ApiClient api = client.api();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            String id = api.post("/api/v1/jobs", body).get("id").asText();
            out.println(Printable.escape(id));
            out.flush();
            if (!wait) {
                return 0;
            }
            return Follow.follow(api, id, out, err, System.console() != null, null) ? 0 : 1;
        } catch (ApiClient.ApiError e) {
            err.println("submit: " + e.getMessage());
            return e.status == 400 ? 2 : 1;
        }
    }

    /** Following a job to its end with a progress bar, and printing the result. */
    static final class Follow {
        private Follow() {
        }

        static boolean follow(ApiClient api, String id, PrintWriter out, PrintWriter err, boolean terminal, Path output)
                throws ApiClient.ApiError, InterruptedException {
            java.io.PrintStream stream = new java.io.PrintStream(new java.io.OutputStream() {
                @Override public void write(int b) { err.write(b); }
                @Override public void flush() { err.flush(); }
            }, true);
            JsonNode job = api.get("/api/v1/jobs/" + id);
            ProgressBar bar = new ProgressBar(stream, terminal, ApiClient.text(job, "name"));
            while (true) {
                JsonNode wu = job.get("workUnits");
                String state = ApiClient.text(job, "state");
                bar.update(job.get("progress").asDouble(), wu.get("done").asLong(), wu.get("total").asLong(), state);
                if (state.equals("COMPLETED") || state.equals("FAILED") || state.equals("CANCELLED")) {
                    bar.finish();
                    stream.flush();
                    if (!state.equals("COMPLETED")) {
                        err.println("job " + id + " " + state + (job.hasNonNull("failure") ? ": " + ApiClient.text(job, "failure") : ""));
                        return false;
                    }
                    var r = api.raw("/api/v1/jobs/" + id + "/result");
                    String type = ApiClient.lines(r.headers().firstValue("Content-Type").orElse("application/octet-stream"));
                    if (output != null || !type.startsWith("application/json")) {
                        Path target = output != null ? output : Path.of(id + (type.equals("image/png") ? ".png" : ".bin"));
                        try {
                            Files.write(target, r.body());
                        } catch (IOException e) {
                            err.println("cannot write " + target + ": " + e.getMessage());
                            return false;
                        }
                        out.println("result (" + type + ", " + r.body().length + " bytes) written to " + target.toAbsolutePath());
                    } else {
                        out.println(ApiClient.lines(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8)));
                    }
                    out.flush();
                    return true;
                }
                Thread.sleep(250); // a CLI polling its job at 4 Hz; tests never wait this way
                job = api.get("/api/v1/jobs/" + id);
            }
        }
    }
}
