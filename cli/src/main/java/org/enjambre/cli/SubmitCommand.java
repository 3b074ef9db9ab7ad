package org.enjambre.cli;

import org.enjambre.client.BadRequestException;
import org.enjambre.client.EnjambreClient;
import org.enjambre.client.EnjambreException;
import org.enjambre.client.Job;
import org.enjambre.client.JobState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
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
    public Integer call() {
        String body;
        try {
            body = file.equals("-") ? new String(System.in.readAllBytes()) : Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + file + ": " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (EnjambreClient api = client.api()) {
            String id = api.submit(body).id(); // sent as written: the coordinator names what is wrong in it
            out.println(Shown.text(id));
            out.flush();
            if (!wait) {
                return 0;
            }
            return Follow.follow(api, id, out, err, System.console() != null, null) ? 0 : 1;
        } catch (BadRequestException e) {
            err.println("submit: " + Shown.failure(e));
            return 2;
        } catch (EnjambreException e) {
            err.println("submit: " + Shown.failure(e));
            return 1;
        }
    }

    /** Following a job to its end with a progress bar, and printing the result. */
    static final class Follow {
        private Follow() {
        }

        /**
         * Draws the job's progress on {@code err} from the coordinator's live events (polling when it has none)
         * until it ended; then prints its result. True only when it completed and the result was shown.
         */
        static boolean follow(EnjambreClient api, String id, PrintWriter out, PrintWriter err, boolean terminal, Path output) {
            PrintStream stream = new PrintStream(new OutputStream() {
                @Override public void write(int b) { err.write(b); }
                @Override public void flush() { err.flush(); }
            }, true);
            ProgressBar[] bar = new ProgressBar[1];
            Job job = api.watch(id, j -> {
                if (bar[0] == null) {
                    bar[0] = new ProgressBar(stream, terminal, Shown.text(j.name()));
                }
                bar[0].update(j.progress(), j.workUnits().done(), j.workUnits().total(), j.state().name());
            });
            bar[0].finish();
            stream.flush();
            if (job.state() != JobState.COMPLETED) {
                err.println("job " + id + " " + job.state() + (job.failure() != null ? ": " + Shown.text(job.failure()) : ""));
                return false;
            }
            try {
                Results.show(api, id, output, out);
            } catch (UncheckedIOException e) {
                err.println(e.getMessage());
                return false;
            }
            out.flush();
            return true;
        }
    }
}
