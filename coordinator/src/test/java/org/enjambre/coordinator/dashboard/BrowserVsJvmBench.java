package org.enjambre.coordinator.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.Harness;
import org.enjambre.coordinator.store.Json;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.apps.CollatzApp;
import org.enjambre.workunits.apps.MandelbrotApp;
import org.enjambre.workunits.apps.PrimesApp;
import org.enjambre.workunits.wasm.BuiltInModules;
import org.enjambre.workunits.wasm.WasmRunner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Units per second of one browser tab (one Web Worker running the volunteer page's runner.js in headless
 * Chromium) against one JVM core running the same built-in WebAssembly module with Chicory (as a JVM worker runs
 * a {@code wasm} job) and the Java app itself (as a JVM worker runs a built-in job). Same unit inputs, one at a
 * time, after one warm-up pass; the outputs of all three are compared. Not a test: run it by hand (BENCHMARKS.md,
 * "A browser tab against a JVM core"): {@code BrowserVsJvmBench [rounds]}.
 */
public final class BrowserVsJvmBench {
    private BrowserVsJvmBench() {
    }

    /** One app's unit inputs: typical default-sized units of a job. */
    private record Workload(App app, String input, int workUnits, int units) {
        List<byte[]> unitInputs() throws Exception {
            JsonNode in = Json.MAPPER.readTree(input);
            List<byte[]> inputs = new ArrayList<>();
            for (int i = 0; i < units; i++) {
                inputs.add(app.unitInput(in, workUnits, i));
            }
            return inputs;
        }
    }

    private static final String RUN_IN_WORKER = """
            const [moduleB64, inputsB64, rounds, done] = arguments;
            const bytes = s => Uint8Array.from(atob(s), c => c.charCodeAt(0));
            const module = bytes(moduleB64);
            const inputs = inputsB64.map(bytes);
            const worker = new Worker(new URL('runner.js', location.href), {type: 'module'});
            const one = input => new Promise((resolve, reject) => {
              worker.onmessage = ({data}) => data.type === 'done' ? resolve(new Uint8Array(data.output))
                : data.type === 'error' ? reject(new Error(data.message)) : undefined;
              worker.postMessage({module, input, checkpoint: null, capBytes: 256 * 1024 * 1024, checkpointEveryMs: 1e9});
            });
            (async () => {
              const times = [];
              let outputs = [];
              for (let r = 0; r <= rounds; r++) {
                const start = performance.now();
                outputs = [];
                for (const input of inputs) outputs.push(btoa(String.fromCharCode(...await one(input))));
                if (r > 0) times.push(performance.now() - start);
              }
              worker.terminate();
              done({times, outputs});
            })().catch(e => done({error: String(e)}));
            """;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        List<Workload> workloads = List.of(
                new Workload(new PrimesApp(), "{\"from\":1000000000,\"to\":1100000000}", 100, 8),
                new Workload(new CollatzApp(), "{\"from\":1000000000,\"to\":1010000000}", 100, 8),
                new Workload(new MandelbrotApp(), "{\"width\":800,\"height\":600,\"xMin\":-2.2,\"xMax\":0.8,"
                        + "\"yMin\":-1.125,\"yMax\":1.125,\"maxIterations\":1000}", 30, 8));
        Path dir = Files.createTempDirectory("enjambre-browser-bench");
        WasmRunner runner = new WasmRunner();
        try (Coordinator coordinator = Coordinator.start(Harness.options(dir)); Chromium browser = Chromium.start()) {
            browser.driver().get(coordinator.url() + "/volunteer/");
            browser.driver().manage().timeouts().scriptTimeout(java.time.Duration.ofMinutes(30));
            System.out.printf(Locale.ROOT, "Chromium %s, Java %s, %d cores; %d units per app, median of %d rounds after a warm-up%n",
                    browser.driver().getCapabilities().getBrowserVersion(), System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors(), workloads.get(0).units(), rounds);
            System.out.println("| app | unit | browser tab (1 Web Worker) | JVM core, same module (Chicory) | JVM core, Java app | tab / module | tab / Java |");
            System.out.println("|---|---|---:|---:|---:|---:|---:|");
            for (Workload w : workloads) {
                byte[] module = BuiltInModules.all().get(w.app().name()).bytes();
                List<byte[]> inputs = w.unitInputs();
                double[] chicory = new double[rounds];
                double[] java = new double[rounds];
                List<String> expected = new ArrayList<>();
                for (int r = 0; r <= rounds; r++) {
                    long t0 = System.nanoTime();
                    List<String> viaModule = new ArrayList<>();
                    for (byte[] in : inputs) {
                        viaModule.add(Base64.getEncoder().encodeToString(runner.run(module, in)));
                    }
                    long t1 = System.nanoTime();
                    expected.clear();
                    for (byte[] in : inputs) {
                        expected.add(Base64.getEncoder().encodeToString(w.app().run(in, RunContext.inMemory())));
                    }
                    long t2 = System.nanoTime();
                    if (!viaModule.equals(expected)) {
                        throw new IllegalStateException(w.app().name() + ": the module's outputs differ from the Java app's");
                    }
                    if (r > 0) {
                        chicory[r - 1] = (t1 - t0) / 1e6;
                        java[r - 1] = (t2 - t1) / 1e6;
                    }
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> tab = (Map<String, Object>) browser.driver().executeAsyncScript(RUN_IN_WORKER,
                        Base64.getEncoder().encodeToString(module),
                        inputs.stream().map(Base64.getEncoder()::encodeToString).toList(), rounds);
                if (tab.containsKey("error")) {
                    throw new IllegalStateException(w.app().name() + " in the browser: " + tab.get("error"));
                }
                @SuppressWarnings("unchecked")
                List<String> outputs = (List<String>) tab.get("outputs");
                if (!outputs.equals(expected)) {
                    throw new IllegalStateException(w.app().name() + ": the browser's outputs differ: " + outputs);
                }
                @SuppressWarnings("unchecked")
                double browserMs = median(((List<Number>) tab.get("times")).stream().mapToDouble(Number::doubleValue).toArray());
                double chicoryMs = median(chicory);
                double javaMs = median(java);
                int n = inputs.size();
                System.out.printf(Locale.ROOT, "| %s | %s | %.2f units/s | %.2f units/s | %.2f units/s | %.2f | %.2f |%n",
                        w.app().name(), describe(inputs.get(0)), n / (browserMs / 1000), n / (chicoryMs / 1000), n / (javaMs / 1000),
                        chicoryMs / browserMs, javaMs / browserMs);
            }
        }
    }

    /** A unit's size in words: integers of its range, or pixels of its band. */
    private static String describe(byte[] unitInput) throws Exception {
        JsonNode u = Json.MAPPER.readTree(unitInput);
        if (u.has("rowFrom")) {
            return String.format(Locale.ROOT, "%d×%d px, ≤%,d iterations", u.get("width").asInt(),
                    u.get("rowTo").asInt() - u.get("rowFrom").asInt(), u.get("maxIterations").asInt());
        }
        return String.format(Locale.ROOT, "%,d integers near %,d", u.get("to").asLong() - u.get("from").asLong(),
                u.get("from").asLong());
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
