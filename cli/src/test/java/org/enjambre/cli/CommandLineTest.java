package org.enjambre.cli;

import org.enjambre.cli.e2e.TestCoordinator;
import org.enjambre.cli.e2e.TestWorkers;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.enjambre.cli.e2e.TestCoordinator.PATIENCE;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The {@code enjambre} command run in-process: its exit codes and messages for bad arguments, help
 * everywhere, and the client commands against a real coordinator with two real workers.
 */
class CommandLineTest {
    @TempDir
    static Path shared;
    static TestCoordinator coordinator;
    static final TestWorkers workers = new TestWorkers();

    @BeforeAll
    static void startSwarm() {
        Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
        Awaitility.setDefaultPollDelay(Duration.ZERO);
        Awaitility.setDefaultTimeout(PATIENCE);
        coordinator = TestCoordinator.start(shared.resolve("coordinator"));
        for (int i = 1; i <= 2; i++) {
            workers.start(TestWorkers.options(shared.resolve("worker-" + i), "cli-worker-" + i, coordinator.url()).build());
        }
    }

    @AfterAll
    static void stopSwarm() {
        workers.close();
        coordinator.close();
        Awaitility.reset();
    }

    /** What one run of the command printed and returned. */
    record Run(int exitCode, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Enjambre.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static String[] client(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--coordinator", coordinator.url(), "--api-key", TestCoordinator.KEY));
        return all.toArray(String[]::new);
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> badArguments() {
        return Stream.of(
                arguments(new String[] {"--bogus"}, "Unknown option: '--bogus'"),
                arguments(new String[] {"bogus"}, "Unmatched argument at index 0: 'bogus'"),
                arguments(new String[] {"worker"}, "Missing required option: '--coordinator=URL'"),
                arguments(new String[] {"worker", "--coordinator", "http://127.0.0.1:1", "--cores", "0"},
                        "cores must be between 1 and 4096, got 0"),
                arguments(new String[] {"worker", "--coordinator", "http://127.0.0.1:1", "--cpu-limit", "101"},
                        "cpu limit must be between 1 and 100 percent, got 101"),
                arguments(new String[] {"worker", "--coordinator", "ftp://127.0.0.1:1"},
                        "coordinator URL 'ftp://127.0.0.1:1' must start with http:// or https://"),
                arguments(new String[] {"worker", "--coordinator", "http://127.0.0.1:1/a b"},
                        "coordinator URL 'http://127.0.0.1:1/a b' is not a valid URL"),
                arguments(new String[] {"worker", "--coordinator", "http://127.0.0.1:1", "--cores", "many"},
                        "Invalid value for option '--cores': 'many' is not an int"),
                arguments(new String[] {"submit", "/no/such/job.json"}, "cannot read /no/such/job.json"),
                arguments(new String[] {"submit"}, "Missing required parameter: 'JOB.json'"),
                arguments(new String[] {"coordinator", "--port", "70000"}, "port 70000 is not between 0 and 65535"),
                arguments(new String[] {"coordinator", "--placement-wait", "-1"},
                        "--placement-wait must be between 0 and 31536000 (a year), not -1"),
                arguments(new String[] {"coordinator", "--browser-oversize-wait", "-5"},
                        "--browser-oversize-wait must be between 0 and 31536000 (a year), not -5"),
                arguments(new String[] {"coordinator", "--data-gc-grace", "0"},
                        "--data-gc-grace must be from 1 to 87600 hours (ten years), not 0"),
                arguments(new String[] {"coordinator", "--public-url", "ftp://peer1.example.org"},
                        "--public-url 'ftp://peer1.example.org' must start with http:// or https://"),
                arguments(new String[] {"coordinator", "--public-url", "peer1.example.org:8080"},
                        "--public-url 'peer1.example.org:8080' must start with http:// or https://"),
                arguments(new String[] {"coordinator", "--public-url", "http://0.0.0.0:8080"},
                        "--public-url 'http://0.0.0.0:8080' must name an address others can reach, not 0.0.0.0"),
                arguments(new String[] {"coordinator", "--public-url", "https://peer1.example.org/?x=1"},
                        "--public-url 'https://peer1.example.org/?x=1' must not carry a user, a query or a fragment"),
                arguments(new String[] {"demo", "--workers", "1"}, "--workers must be between 2 and 16"),
                arguments(new String[] {"module"}, "a subcommand is required (upload)"),
                arguments(new String[] {}, "a command is required (try: enjambre --help)"));
    }

    @ParameterizedTest(name = "enjambre {0}")
    @MethodSource("badArguments")
    void badArguments_exit2_withOneLineSayingWhatIsWrong(String[] args, String message) {
        Run run = run(args);
        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().asString().contains(message).contains("--help");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void help_exits0_forEveryCommand() {
        List<List<String>> paths = new ArrayList<>();
        collect(Enjambre.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())), new ArrayList<>(), paths);
        assertThat(paths).extracting(p -> String.join(" ", p))
                .contains("", "demo", "coordinator", "worker", "submit", "status", "result", "cancel", "module", "module upload", "help");
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            Run run = run(args.toArray(String[]::new));
            assertThat(run.exitCode()).as("enjambre %s --help: %s", path, run.err()).isZero();
            assertThat(run.out()).as("enjambre %s --help", path).contains("Usage: enjambre");
            assertThat(run.err()).isEmpty();
        }
    }

    private static void collect(CommandLine cl, List<String> path, List<List<String>> into) {
        into.add(List.copyOf(path));
        cl.getSubcommands().forEach((name, sub) -> {
            List<String> next = new ArrayList<>(path);
            next.add(name);
            collect(sub, next, into);
        });
    }

    @Test
    void submitWait_printsTheIdAndTheResult_andExits0() throws Exception {
        Path spec = Files.writeString(shared.resolve("primes.json"),
                "{\"name\":\"primes below a million\",\"app\":\"primes\",\"input\":{\"from\":2,\"to\":1000000},\"workUnits\":8}");
        Run run = run(client("submit", spec.toString(), "--wait"));
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(2);
        String id = lines.get(0);
        assertThat(id).matches("j-[0-9a-z]+");
        assertThat(lines.get(1)).isEqualTo("{\"count\":78498}");
        assertThat(run.err()).contains("8/8 units COMPLETED");
        assertThat(coordinator.job(id).get("state").asText()).isEqualTo("COMPLETED");

        Run status = run(client("status", id));
        assertThat(status.exitCode()).isZero();
        assertThat(status.out()).contains("\"state\" : \"COMPLETED\"");
        Path file = shared.resolve("result.json");
        Run result = run(client("result", id, "--output", file.toString()));
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(file).hasContent("{\"count\":78498}");
    }

    @Test
    void submit_withoutWait_printsOnlyTheId() throws Exception {
        Path spec = Files.writeString(shared.resolve("noop.json"), "{\"app\":\"noop\",\"input\":\"x\",\"workUnits\":2}");
        Run run = run(client("submit", spec.toString()));
        assertThat(run.exitCode()).as(run.err()).isZero();
        String id = run.out().strip();
        assertThat(id).matches("j-[0-9a-z]+");
        coordinator.awaitJob(id, "COMPLETED");
    }

    @Test
    void submitWait_ofAJobCancelledMeanwhile_exits1_sayingSo() throws Exception {
        // Three agreeing replicas can never be found among two workers, so this job waits until cancelled.
        Path spec = Files.writeString(shared.resolve("stuck.json"), "{\"name\":\"stuck\",\"app\":\"primes\","
                + "\"input\":{\"from\":2,\"to\":1000},\"workUnits\":2,\"redundancy\":{\"replicas\":3,\"quorum\":3}}");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> Enjambre.commandLine(
                new PrintWriter(out, true), new PrintWriter(err, true)).execute(client("submit", spec.toString(), "--wait")));
        await().until(() -> out.toString().strip().matches("j-[0-9a-z]+"));
        String id = out.toString().strip();

        Run cancel = run(client("cancel", id));
        assertThat(cancel.exitCode()).as(cancel.err()).isZero();
        assertThat(cancel.out().strip()).isEqualTo(id + " CANCELLED");
        assertThat(waiting.get(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(err.toString()).contains("job " + id + " CANCELLED: cancelled by a user");
        assertThat(out.toString().strip()).isEqualTo(id);
    }

    @Test
    void submit_ofABadSpec_exits2_withTheServersMessage() throws Exception {
        Path spec = Files.writeString(shared.resolve("bad.json"),
                "{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":10},\"redundancy\":{\"replicas\":2,\"quorum\":3}}");
        Run run = run(client("submit", spec.toString()));
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().asString()
                .isEqualTo("submit: redundancy.quorum (3) must not exceed redundancy.replicas (2) (field redundancy.quorum)");
    }

    @Test
    void clientCommands_withTheCoordinatorDown_exit1_sayingSo() {
        String dead = TestCoordinator.deadUrl();
        Run run = run("status", "--coordinator", dead, "--api-key", TestCoordinator.KEY);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).singleElement().asString().startsWith("status: cannot reach the coordinator at " + dead);
    }
}
