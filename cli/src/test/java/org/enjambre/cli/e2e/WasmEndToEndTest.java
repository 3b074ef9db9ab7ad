package org.enjambre.cli.e2e;

import com.dylibso.chicory.wabt.Wat2Wasm;
import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.cli.Enjambre;
import org.enjambre.worker.Worker;
import org.enjambre.worker.WorkerOptions;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.wasm.WasmApp;
import org.enjambre.workunits.wasm.WasmLimits;
import org.enjambre.workunits.wasm.WasmModules;
import org.enjambre.workunits.wasm.WasmRunner;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.enjambre.cli.e2e.TestCoordinator.PATIENCE;

/**
 * WebAssembly apps end to end: modules uploaded to a real coordinator (over HTTP and with
 * {@code enjambre module upload}), run by three real workers whose sandboxes have a 32 MiB memory cap
 * and a 4 s time bound, hostile modules contained, and replicas that agree byte for byte.
 */
class WasmEndToEndTest {
    private static final Duration TIME_BOUND = Duration.ofSeconds(4);
    private static final int MEMORY_CAP_MB = 32;

    @TempDir
    static Path shared;
    static TestCoordinator coordinator;
    static final TestWorkers workers = new TestWorkers();
    static final List<Worker> swarm = new ArrayList<>();

    @BeforeAll
    static void startSwarm() {
        Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
        Awaitility.setDefaultPollDelay(Duration.ZERO);
        Awaitility.setDefaultTimeout(PATIENCE);
        coordinator = TestCoordinator.start(shared.resolve("coordinator"));
        for (int i = 1; i <= 3; i++) {
            WorkerOptions options = TestWorkers.options(shared.resolve("worker-" + i), "wasm-worker-" + i, coordinator.url())
                    .maxMemoryMb(MEMORY_CAP_MB).build();
            swarm.add(workers.start(options, sandboxed(options), Clock.systemUTC()));
        }
    }

    /** What {@link Worker#defaultApps} gives, with a configured time bound on top of the memory cap. */
    private static AppRegistry sandboxed(WorkerOptions options) {
        WasmLimits limits = WasmLimits.defaults().withMaxMemoryBytes(options.maxMemoryMb() * 1024L * 1024L).withTimeLimit(TIME_BOUND);
        return AppRegistry.builtIns().with(new WasmApp(sha -> Optional.empty(), new WasmRunner(limits)));
    }

    @AfterAll
    static void stopSwarm() {
        workers.close();
        coordinator.close();
        Awaitility.reset();
    }

    @AfterEach
    void cancelLeftovers() {
        coordinator.cancelUnfinished();
    }

    private static byte[] wasm(String wat) {
        return Wat2Wasm.parse(wat);
    }

    /** Uploads a module over HTTP; returns its sha256. */
    private static String upload(byte[] module) {
        TestCoordinator.Response r = coordinator.send("POST", "/api/v1/modules", module, "application/wasm", TestCoordinator.KEY);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("bytes").asInt()).isEqualTo(module.length);
        return r.json().get("sha256").asText();
    }

    private static String oneUnitJob(String sha, String maxErrors) {
        return coordinator.submit("{\"app\":\"wasm\",\"input\":{\"module\":\"" + sha + "\",\"inputs\":[\"x\"]},"
                + "\"redundancy\":{\"replicas\":1,\"quorum\":1,\"maxErrors\":" + maxErrors + "}}");
    }

    @Test
    void primesModule_givesTheKnownAnswer_withByteIdenticalReplicasFromDistinctWorkers() throws IOException {
        byte[] module = wasm(Files.readString(Path.of(System.getProperty("basedir", "."), "..", "examples", "wasm", "primes.wat")));
        Path file = Files.write(shared.resolve("primes.wasm"), module);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Enjambre.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("module", "upload", file.toString(), "--coordinator", coordinator.url(), "--api-key", TestCoordinator.KEY);
        assertThat(code).as(err.toString()).isZero();
        String sha = out.toString().strip();
        assertThat(sha).isEqualTo(WasmModules.sha256(module));

        String job = coordinator.submit("{\"name\":\"wasm primes\",\"app\":\"wasm\",\"workUnits\":8,\"input\":{\"module\":\"" + sha + "\","
                + "\"range\":{\"from\":0,\"to\":1000000},\"merge\":\"module\",\"contentType\":\"application/json\"},"
                + "\"redundancy\":{\"replicas\":2,\"quorum\":2}}");
        coordinator.awaitJob(job, "COMPLETED");
        TestCoordinator.Response result = coordinator.call("GET", "/api/v1/jobs/" + job + "/result", null);
        assertThat(result.body()).isEqualTo("{\"count\":78498}");
        assertThat(result.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));

        // Quorum 2 compares outputs exactly: every unit was computed by two workers, byte for byte alike.
        Set<String> ran = new HashSet<>();
        List<JsonNode> units = coordinator.units(job);
        assertThat(units).hasSize(8);
        for (JsonNode unit : units) {
            assertThat(unit.get("state").asText()).isEqualTo("DONE");
            assertThat(unit.get("replicas")).as("%s", unit).hasSize(2);
            Set<String> by = new HashSet<>();
            for (JsonNode replica : unit.get("replicas")) {
                assertThat(replica.get("outcome").asText()).isEqualTo("SUCCESS");
                assertThat(replica.get("validate").asText()).isEqualTo("VALID");
                by.add(replica.get("worker").asText());
            }
            assertThat(by).as("workers of %s", unit).hasSize(2);
            ran.addAll(by);
        }
        // Each worker that ran the module fetched it once, verified, into its cache.
        for (Worker w : swarm) {
            if (ran.contains(w.workerId().orElseThrow())) {
                assertThat(w.options().dataDir().resolve("blobs").resolve(sha)).hasBinaryContent(module);
            }
        }
    }

    @Test
    void hostileModules_failTheirUnitWithAClearError_andTheWorkersKeepTakingWork() {
        Map<String, String> hostile = new LinkedHashMap<>();
        hostile.put("(module (memory (export \"memory\") 1) (func (export \"alloc\") (param i32) (result i32) (i32.const 1024))"
                + " (func (export \"run\") (param i32 i32) (result i64) (loop $forever (br $forever)) (i64.const 0)))",
                "module ran longer than 4s");
        hostile.put("(module (memory (export \"memory\") 64) (func (export \"alloc\") (param i32) (result i32) (i32.const 1024))"
                + " (func (export \"run\") (param i32 i32) (result i64)"
                + " (loop $more (br_if $more (i32.ne (memory.grow (i32.const 64)) (i32.const -1)))) unreachable))",
                "module trapped: unreachable (its memory had grown to its limit of 32 MiB)");
        hostile.put("(module (memory (export \"memory\") 1) (func (export \"alloc\") (param i32) (result i32) (i32.const 1024))"
                + " (func (export \"run\") (param i32 i32) (result i64) unreachable))",
                "module trapped: unreachable");
        hostile.put("(module (memory (export \"memory\") 8192) (func (export \"alloc\") (param i32) (result i32) (i32.const 1024))"
                + " (func (export \"run\") (param i32 i32) (result i64) (i64.const 0)))",
                "module asks for 512 MiB of memory at start, more than the cap of 32 MiB");
        hostile.put("(module (memory (export \"memory\") 1) (func (export \"alloc\") (param i32) (result i32) (i32.const 1024))"
                + " (func (export \"run\") (param i32 i32) (result i64) (i64.const 0xFFFF000003E8)))",
                "module's run returned an output of 1000 bytes at address 65535, outside its memory of 65536 bytes");

        Map<String, String> jobs = new LinkedHashMap<>();
        hostile.forEach((wat, message) -> jobs.put(oneUnitJob(upload(wasm(wat)), "0"), message));
        jobs.forEach((job, message) -> {
            JsonNode view = coordinator.awaitJob(job, "FAILED");
            assertThat(view.get("failure").asText()).startsWith("unit 0 failed");
            JsonNode unit = coordinator.units(job).get(0);
            assertThat(unit.get("state").asText()).isEqualTo("FAILED");
            JsonNode replica = unit.get("replicas").get(0);
            assertThat(replica.get("outcome").asText()).as("%s", unit).isEqualTo("CLIENT_ERROR");
            assertThat(replica.get("error").asText()).as("%s", unit).contains(message);
        });

        // Every worker still works: a job that needs all three of them completes.
        String after = coordinator.submit("{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":100000},\"workUnits\":3,"
                + "\"redundancy\":{\"replicas\":3,\"quorum\":3}}");
        coordinator.awaitJob(after, "COMPLETED");
        assertThat(coordinator.result(after)).isEqualTo("{\"count\":9592}");
        for (Worker w : swarm) {
            assertThat(w.stats().state()).isEqualTo(Worker.State.WORKING);
            assertThat(coordinator.worker(w.workerId().orElseThrow()).get("valid").asInt()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void badUploads_areRefusedWithAClearMessage_andChangeNothing() throws IOException {
        TestCoordinator.Response malformed = coordinator.send("POST", "/api/v1/modules", "not wasm at all".getBytes(),
                "application/wasm", TestCoordinator.KEY);
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().at("/error/code").asText()).isEqualTo("INVALID_MODULE");
        assertThat(malformed.json().at("/error/message").asText()).startsWith("module is not valid WebAssembly");

        byte[] wasi = wasm("(module (import \"wasi_snapshot_preview1\" \"clock_time_get\" (func $clock (param i32 i64 i32) (result i32)))"
                + " (memory (export \"memory\") 1) (func (export \"alloc\") (param i32) (result i32) (i32.const 1024))"
                + " (func (export \"run\") (param i32 i32) (result i64) (drop (call $clock (i32.const 0) (i64.const 0) (i32.const 0))) (i64.const 0)))");
        TestCoordinator.Response forbidden = coordinator.send("POST", "/api/v1/modules", wasi, "application/wasm", TestCoordinator.KEY);
        assertThat(forbidden.status()).isEqualTo(400);
        assertThat(forbidden.json().at("/error/message").asText())
                .startsWith("module imports wasi_snapshot_preview1.clock_time_get which is not allowed");

        byte[] noRun = wasm("(module (memory (export \"memory\") 1) (func (export \"alloc\") (param i32) (result i32) (i32.const 1024)))");
        TestCoordinator.Response missing = coordinator.send("POST", "/api/v1/modules", noRun, "application/wasm", TestCoordinator.KEY);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().at("/error/message").asText()).isEqualTo("module does not export 'run'");

        byte[] huge = new byte[(16 << 20) + 1];
        TestCoordinator.Response tooLarge = coordinator.send("POST", "/api/v1/modules", huge, "application/wasm", TestCoordinator.KEY);
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.json().at("/error/code").asText()).isEqualTo("MODULE_TOO_LARGE");
        assertThat(tooLarge.json().at("/error/message").asText()).contains("more than the limit of 16777216 bytes");

        // Nothing was stored: a job naming any of them is refused.
        for (byte[] refused : List.of(wasi, noRun)) {
            String sha = WasmModules.sha256(refused);
            TestCoordinator.Response job = coordinator.call("POST", "/api/v1/jobs",
                    "{\"app\":\"wasm\",\"input\":{\"module\":\"" + sha + "\",\"inputs\":[1]}}");
            assertThat(job.status()).isEqualTo(400);
            assertThat(job.json().at("/error/message").asText()).contains("no module with sha256 " + sha);
        }

        Path bad = Files.write(shared.resolve("bad.wasm"), "not wasm at all".getBytes());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Enjambre.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("module", "upload", bad.toString(), "--coordinator", coordinator.url(), "--api-key", TestCoordinator.KEY);
        assertThat(code).isEqualTo(1);
        assertThat(err.toString().lines().toList()).singleElement().asString().startsWith("module upload: module is not valid WebAssembly");
        assertThat(out.toString()).isEmpty();
    }
}
