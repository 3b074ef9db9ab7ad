package org.enjambre.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** The {@code enjambre} command: every subcommand of the platform in one jar. */
@Command(name = "enjambre", mixinStandardHelpOptions = true, version = "enjambre 0.1.0",
        description = "Volunteer distributed computing: coordinators, workers, jobs.",
        subcommands = {DemoCommand.class, CoordinatorCommand.class, org.enjambre.worker.WorkerCommand.class, SubmitCommand.class, StatusCommand.class, ResultCommand.class,
                CancelCommand.class, ModuleCommand.class, DataCommand.class, CommandLine.HelpCommand.class})
public final class Enjambre implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (try: enjambre --help)");
    }

    /** The configured command line: exit codes 0 success, 1 failure, 2 usage error; bad arguments give one line. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Enjambre());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExitCodeExceptionMapper(t -> 1);
        cl.setParameterExceptionHandler((ex, args) -> {
            String name = ex.getCommandLine().getCommandName();
            ex.getCommandLine().getErr().println(name + ": " + ex.getMessage() + " (see " + qualified(ex.getCommandLine()) + " --help)");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println(commandLine.getCommandName() + ": " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            return 1;
        });
        return cl;
    }

    private static String qualified(CommandLine cl) {
        StringBuilder b = new StringBuilder(cl.getCommandName());
        for (CommandLine p = cl.getParent(); p != null; p = p.getParent()) {
            b.insert(0, p.getCommandName() + " ");
        }
        return b.toString();
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = commandLine(out, err).execute(args);
        if (code != Integer.MIN_VALUE) {
            System.exit(code);
        }
    }
}
