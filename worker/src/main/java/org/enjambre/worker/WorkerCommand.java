package org.enjambre.worker;

import org.enjambre.workunits.app.AppRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The {@code worker} command: runs one volunteer worker until it is stopped (Ctrl-C, SIGTERM).
 * Exit codes: 0 stopped normally, 1 could not run, 2 bad arguments (one line saying what is wrong).
 * A plain picocli command with a public no-arg constructor, so a launcher can add it as a subcommand;
 * use {@link #commandLine()} to get the one-line error handling when running it alone.
 */
@Command(name = "worker",
        description = "Runs a volunteer worker: fetches work units from a coordinator, runs them, reports the results.",
        sortOptions = false)
public final class WorkerCommand implements Callable<Integer> {
    /** How long a stop (Ctrl-C, SIGTERM) may take before the process exits anyway. */
    static final Duration STOP_BUDGET = Duration.ofSeconds(5);

    @Spec
    CommandSpec spec;

    @Option(names = "--coordinator", required = true, split = ",", paramLabel = "URL",
            description = "Coordinator URLs, tried in turn, e.g. http://127.0.0.1:8080.")
    List<String> coordinators;

    @Option(names = "--cores", paramLabel = "N", description = "Tasks run at once (default: all processors but one).")
    Integer cores;

    @Option(names = "--cpu-limit", paramLabel = "PCT", description = "Share of the time each task may compute, 1-100 (default: 100).")
    Integer cpuLimit;

    @Option(names = "--idle-only", description = "Run tasks only while other programs leave the machine idle.")
    boolean idleOnly;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Identity, checkpoints, unreported results (default: ~/.enjambre/worker).")
    Path dataDir;

    @Option(names = "--name", paramLabel = "NAME", description = "Name shown on the dashboard (default: the host name).")
    String name;

    @Option(names = "--max-memory-mb", paramLabel = "MB", description = "Memory bound of an app sandbox (default: 256).")
    Integer maxMemoryMb;

    @Option(names = "--cache-mb", paramLabel = "MB", description = "Disk cache of input-file chunks, least recently used evicted (default: 1024).")
    Integer cacheMb;

    @Option(names = "--share-cache", description = "Serve cached input-file chunks to other workers the coordinator points here (LAN sharing; default: off).")
    boolean shareCache;

    @Option(names = "--share-host", paramLabel = "ADDR", description = "Address the share server binds (default: 0.0.0.0; the coordinator then names this worker by the address it sees).")
    String shareHost;

    @Option(names = "--share-port", paramLabel = "N", description = "Port of the share server (default: 0, a free one).")
    Integer sharePort;

    @Option(names = "--share-max-transfers", paramLabel = "N", description = "Chunks the share server sends at once; others get 503 (default: 16).")
    Integer shareMaxTransfers;

    @Option(names = "--account", paramLabel = "NAME", description = "Your volunteer account, to collect credit.")
    String account;

    @Option(names = "--buffer-seconds", paramLabel = "MIN[:MAX]",
            description = "Work to keep fetched, in seconds per core by learned run times: fetch when below MIN, up to MAX "
                    + "(default: 60:120; MAX defaults to twice MIN).")
    String bufferSeconds;

    @Option(names = "--report-delay-ms", paramLabel = "MS",
            description = "Longest a finished result waits to be reported with others, 0-10000 (default: 100).")
    Integer reportDelayMs;

    @Option(names = "--sabotage", hidden = true, paramLabel = "RATE[:colluding]",
            description = "TEST ONLY: report wrong results at this rate (0-1), to exercise validation.")
    String sabotage;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    private AppRegistry apps;
    private Clock clock = Clock.systemUTC();
    private PrintStream out = System.out;
    private boolean terminal = System.console() != null;

    public WorkerCommand() {
    }

    /** The apps the worker runs; the built-ins unless a launcher adds more (e.g. WebAssembly). */
    public WorkerCommand apps(AppRegistry registry) {
        this.apps = registry;
        return this;
    }

    /** A command line for this command alone: bad arguments print one line and exit 2. */
    public static CommandLine commandLine() {
        return configure(new CommandLine(new WorkerCommand()));
    }

    /** Makes {@code commandLine} answer bad arguments with one line on stderr and exit code 2. */
    public static CommandLine configure(CommandLine commandLine) {
        return commandLine.setParameterExceptionHandler(WorkerCommand::oneLine);
    }

    /** Prints only the first line of what is wrong: no usage dump. */
    static int oneLine(ParameterException e, String[] args) {
        String message = e.getMessage() == null ? "bad arguments" : e.getMessage().lines().findFirst().orElse("bad arguments");
        e.getCommandLine().getErr().println(e.getCommandLine().getCommandName() + ": " + message
                + " (see --help)");
        e.getCommandLine().getErr().flush();
        return CommandLine.ExitCode.USAGE;
    }

    /** The options these arguments describe; throws {@link ParameterException} saying what is wrong. */
    WorkerOptions options() {
        try {
            WorkerOptions.Builder builder = WorkerOptions.builder().coordinators(coordinators).idleOnly(idleOnly);
            if (cores != null) {
                builder.cores(cores);
            }
            if (cpuLimit != null) {
                builder.cpuLimitPercent(cpuLimit);
            }
            if (dataDir != null) {
                builder.dataDir(dataDir);
            }
            if (name != null) {
                builder.name(name);
            }
            if (cacheMb != null) {
                builder.cacheMb(cacheMb);
            }
            if (shareCache || shareHost != null || sharePort != null || shareMaxTransfers != null) {
                if (!shareCache) {
                    throw new IllegalArgumentException("--share-host, --share-port and --share-max-transfers need --share-cache");
                }
                WorkerOptions.Sharing off = WorkerOptions.Sharing.OFF;
                builder.sharing(new WorkerOptions.Sharing(true, shareHost != null ? shareHost : off.host(),
                        sharePort != null ? sharePort : off.port(), shareMaxTransfers != null ? shareMaxTransfers : off.maxTransfers()));
            }
            if (maxMemoryMb != null) {
                builder.maxMemoryMb(maxMemoryMb);
            }
            if (account != null) {
                builder.account(account);
            }
            if (bufferSeconds != null) {
                Duration[] buffer = WorkerOptions.parseBuffer(bufferSeconds);
                builder.buffer(buffer[0], buffer[1]);
            }
            if (reportDelayMs != null) {
                builder.reportDelay(Duration.ofMillis(reportDelayMs));
            }
            if (sabotage != null) {
                builder.sabotage(Sabotage.parse(sabotage));
            }
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    @Override
    public Integer call() throws Exception {
        WorkerOptions options;
        try {
            options = options();
        } catch (ParameterException e) {
            // picocli treats exceptions from call() as failures (exit 1); a bad value is a usage error.
            return spec.commandLine().getParameterExceptionHandler().handleParseException(e, new String[0]);
        }
        Worker worker = new Worker(options, apps != null ? apps : Worker.defaultApps(options), clock);
        StatusDisplay display = new StatusDisplay(terminal ? out : System.err, terminal, () -> worker.stats().statusLine());
        display.start();
        try {
            worker.start();
        } catch (IOException e) {
            display.stop();
            spec.commandLine().getErr().println("worker: " + e.getMessage());
            return CommandLine.ExitCode.SOFTWARE;
        }
        Thread hook = new Thread(() -> {
            boolean clean = worker.stop(STOP_BUDGET);
            display.stop();
            display.finalLine("worker stopped" + (clean ? "" : " (not everything in time)") + ": " + worker.stats().statusLine());
        }, "enjambre-worker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        worker.awaitStopped(Duration.ofMillis(Long.MAX_VALUE));
        display.stop();
        return worker.stats().state() == Worker.State.FAILED ? CommandLine.ExitCode.SOFTWARE : CommandLine.ExitCode.OK;
    }
}
