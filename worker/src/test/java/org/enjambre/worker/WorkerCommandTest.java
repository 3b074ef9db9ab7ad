package org.enjambre.worker;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = WorkerCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private void assertUsageError(String expected, String... args) {
        assertThat(run(args)).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly("worker: " + expected + " (see --help)");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void missingCoordinator_exits2WithOneLine() {
        assertUsageError("Missing required option: '--coordinator=URL'");
    }

    @Test
    void unknownOption_exits2WithOneLine() {
        assertUsageError("Unknown option: '--turbo'", "--coordinator", "http://127.0.0.1:1", "--turbo");
    }

    @Test
    void notANumber_exits2WithOneLine() {
        assertUsageError("Invalid value for option '--cores': 'many' is not an int", "--coordinator", "http://127.0.0.1:1", "--cores", "many");
    }

    @Test
    void invalidValues_exit2WithTheOptionsMessage() {
        assertUsageError("cpu limit must be between 1 and 100 percent, got 150",
                "--coordinator", "http://127.0.0.1:1", "--cpu-limit", "150");
        err.getBuffer().setLength(0);
        assertUsageError("coordinator URL 'ftp://x' must start with http:// or https://",
                "--coordinator", "http://127.0.0.1:1,ftp://x");
        err.getBuffer().setLength(0);
        assertUsageError("cores must be between 1 and 4096, got 0", "--coordinator", "http://127.0.0.1:1", "--cores", "0");
        err.getBuffer().setLength(0);
        assertUsageError("sabotage rate must be between 0 and 1, got 3.0", "--coordinator", "http://127.0.0.1:1", "--sabotage", "3");
        err.getBuffer().setLength(0);
        assertUsageError("buffer maximum (5.0 s) must be positive, at most 7 days, and not below the minimum (10.0 s)",
                "--coordinator", "http://127.0.0.1:1", "--buffer-seconds", "10:5");
        err.getBuffer().setLength(0);
        assertUsageError("report delay must be between 0 and 10 seconds, got 20.0 s",
                "--coordinator", "http://127.0.0.1:1", "--report-delay-ms", "20000");
        err.getBuffer().setLength(0);
        assertUsageError("--share-host, --share-port and --share-max-transfers need --share-cache",
                "--coordinator", "http://127.0.0.1:1", "--share-port", "7000");
        err.getBuffer().setLength(0);
        assertUsageError("--share-port must be between 0 and 65535, got 70000",
                "--coordinator", "http://127.0.0.1:1", "--share-cache", "--share-port", "70000");
        err.getBuffer().setLength(0);
        assertUsageError("--share-host must be an address or host name to bind, got 'a b'",
                "--coordinator", "http://127.0.0.1:1", "--share-cache", "--share-host", "a b");
        err.getBuffer().setLength(0);
        assertUsageError("--share-max-transfers must be between 1 and 1024, got 0",
                "--coordinator", "http://127.0.0.1:1", "--share-cache", "--share-max-transfers", "0");
    }

    @Test
    void help_exits0_andHidesSabotage() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("--coordinator=URL[,URL...]", "--cores=N", "--cpu-limit=PCT", "--idle-only",
                "--data-dir=DIR", "--name=NAME", "--max-memory-mb=MB", "--account=NAME").doesNotContain("sabotage");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void arguments_becomeOptions() {
        WorkerCommand command = new WorkerCommand();
        new CommandLine(command).parseArgs("--coordinator", "http://127.0.0.1:1,http://127.0.0.1:2", "--cores", "3",
                "--cpu-limit", "40", "--idle-only", "--data-dir", "/tmp/w", "--name", "box", "--max-memory-mb", "64",
                "--account", "alice", "--sabotage", "0.5:colluding");
        WorkerOptions options = command.options();
        assertThat(options.coordinators()).containsExactly(URI.create("http://127.0.0.1:1"), URI.create("http://127.0.0.1:2"));
        assertThat(options.cores()).isEqualTo(3);
        assertThat(options.cpuLimitPercent()).isEqualTo(40);
        assertThat(options.idleOnly()).isTrue();
        assertThat(options.dataDir()).isEqualTo(Path.of("/tmp/w"));
        assertThat(options.name()).isEqualTo("box");
        assertThat(options.maxMemoryMb()).isEqualTo(64);
        assertThat(options.account()).contains("alice");
        assertThat(options.sabotage()).isEqualTo(new Sabotage(0.5, true));
        assertThat(options.sharing().enabled()).as("LAN sharing is off by default").isFalse();

        new CommandLine(command).parseArgs("--coordinator", "http://127.0.0.1:1", "--share-cache", "--share-host", "10.0.0.5",
                "--share-port", "7000");
        assertThat(command.options().sharing()).isEqualTo(new WorkerOptions.Sharing(true, "10.0.0.5", 7000, 16));
    }

    @Test
    void asASubcommand_ofALauncher_keepsOneLineErrors() {
        @CommandLine.Command(name = "enjambre", subcommands = WorkerCommand.class)
        class Launcher implements Runnable {
            @Override
            public void run() {
            }
        }
        CommandLine cli = WorkerCommand.configure(new CommandLine(new Launcher()));
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute("worker", "--cores", "2")).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly("worker: Missing required option: '--coordinator=URL' (see --help)");
    }
}
