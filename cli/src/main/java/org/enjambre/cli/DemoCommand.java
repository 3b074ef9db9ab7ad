package org.enjambre.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.CoordinatorOptions;
import org.enjambre.worker.Worker;
import org.enjambre.worker.WorkerOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code enjambre demo}: a whole swarm in one process — a coordinator with embedded storage, three
 * workers, a primes and a mandelbrot job with their progress bars, the dashboard URL and the results.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a local swarm: a coordinator, 3 workers, a primes and a mandelbrot job, the dashboard.")
public final class DemoCommand implements Callable<Integer> {
    static final long PRIMES_TO = 10_000_000L;
    /** Held so the level set on it is not lost to garbage collection. */
    private static final java.util.logging.Logger WORKER_LOGS = java.util.logging.Logger.getLogger("org.enjambre");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--exit-when-done", description = "stop the swarm once the jobs finished (exit 0 when both completed)")
    boolean exitWhenDone;

    @Option(names = "--port", defaultValue = "8080", description = "dashboard and API port (default: ${DEFAULT-VALUE}; a free one when it is taken)")
    int port;

    @Option(names = "--workers", defaultValue = "3", description = "how many workers (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--data-dir", description = "where the swarm keeps its data (default: a new temporary directory)")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        if (workers < 2 || workers > 16) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--workers must be between 2 and 16 (jobs need two replicas)");
        }
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be between 0 and 65535");
        }
        quietLogs();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir = dataDir != null ? dataDir : Files.createTempDirectory("enjambre-demo-");
        int httpPort = available(port) ? port : freePort();
        out.println("Starting a local swarm in " + dir.toAbsolutePath() + " ...");
        out.flush();
        Coordinator coordinator = Coordinator.start(CoordinatorOptions.builder(dir.resolve("coordinator"))
                .host("127.0.0.1").port(httpPort).cluster("enjambre-demo-" + ProcessHandle.current().pid(), null)
                .clusterPort(freePort()).allowSameHost(true).deadlineCheckMillis(500));
        List<Worker> swarm = new ArrayList<>();
        CountDownLatch interrupted = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            interrupted.countDown();
            shutdown(swarm, coordinator);
        }, "enjambre-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            for (int i = 1; i <= workers; i++) {
                Worker w = new Worker(WorkerOptions.builder(coordinator.url()).cores(1).name("demo-worker-" + i)
                        .dataDir(dir.resolve("worker-" + i)).fetchWait(Duration.ofSeconds(5)).build());
                w.start();
                swarm.add(w);
            }
            if (httpPort != port) {
                out.println("(port " + port + " is taken; using " + httpPort + ")");
            }
            out.println("Dashboard: " + coordinator.url() + "/");
            out.println("API key:   " + coordinator.apiKey() + "   (for cancelling and submitting in the dashboard)");
            out.println(workers + " workers, 1 core each. Jobs:");
            out.flush();

            ApiClient api = new ApiClient(coordinator.url(), coordinator.apiKey());
            Map<String, String> jobs = new LinkedHashMap<>();
            jobs.put(api.post("/api/v1/jobs", "{\"name\":\"primes below ten million\",\"app\":\"primes\","
                    + "\"input\":{\"from\":2,\"to\":" + PRIMES_TO + "},\"workUnits\":100,"
                    + "\"redundancy\":{\"replicas\":2,\"quorum\":2}}").get("id").asText(), "primes");
            jobs.put(api.post("/api/v1/jobs", "{\"name\":\"mandelbrot 800x600\",\"app\":\"mandelbrot\","
                    + "\"input\":{\"width\":800,\"height\":600,\"xMin\":-2.2,\"xMax\":0.8,\"yMin\":-1.125,\"yMax\":1.125,"
                    + "\"maxIterations\":500},\"workUnits\":30,\"redundancy\":{\"replicas\":2,\"quorum\":2}}").get("id").asText(), "mandelbrot");

            boolean ok = watch(api, jobs, out, dir);
            if (exitWhenDone) {
                return ok ? 0 : 1;
            }
            out.println("The swarm keeps running; the dashboard is at " + coordinator.url() + "/ . Press Ctrl-C to stop.");
            out.flush();
            interrupted.await();
            return ok ? 0 : 1;
        } catch (ApiClient.ApiError e) {
            err.println("demo: " + e.getMessage());
            return 1;
        } finally {
            if (interrupted.getCount() > 0) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // already shutting down
                }
                shutdown(swarm, coordinator);
            }
        }
    }

    /** Draws one progress bar per job until both ended, then prints the results. */
    private boolean watch(ApiClient api, Map<String, String> jobs, PrintWriter out, Path dir) throws Exception {
        boolean terminal = System.console() != null;
        Map<String, String> lastLine = new LinkedHashMap<>();
        long lastPrint = 0;
        boolean first = true;
        while (true) {
            Map<String, JsonNode> views = new LinkedHashMap<>();
            boolean allDone = true;
            for (String id : jobs.keySet()) {
                JsonNode j = api.get("/api/v1/jobs/" + id);
                views.put(id, j);
                String s = j.get("state").asText();
                allDone &= s.equals("COMPLETED") || s.equals("FAILED") || s.equals("CANCELLED");
            }
            List<String> lines = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : views.entrySet()) {
                JsonNode j = e.getValue();
                lines.add(ProgressBar.render(String.format("%-26s", ApiClient.text(j, "name")), j.get("progress").asDouble(),
                        j.at("/workUnits/done").asLong(), j.at("/workUnits/total").asLong(), j.get("state").asText()));
            }
            long now = System.currentTimeMillis();
            boolean changed = !lines.equals(new ArrayList<>(lastLine.values()));
            if (terminal) {
                if (!first) {
                    out.print("\u001b[" + lines.size() + "A");
                }
                for (String l : lines) {
                    out.print("\r" + l + "\u001b[K\n");
                }
                out.flush();
            } else if (changed && (now - lastPrint >= 2000 || allDone || first)) {
                lines.forEach(out::println);
                out.flush();
                lastPrint = now;
            }
            first = false;
            lastLine.clear();
            for (int i = 0; i < lines.size(); i++) {
                lastLine.put(Integer.toString(i), lines.get(i));
            }
            if (allDone) {
                return results(api, views, jobs, out, dir);
            }
            Thread.sleep(200); // redraw rate of the bars
        }
    }

    private boolean results(ApiClient api, Map<String, JsonNode> views, Map<String, String> jobs, PrintWriter out, Path dir)
            throws ApiClient.ApiError, IOException {
        boolean ok = true;
        for (Map.Entry<String, JsonNode> e : views.entrySet()) {
            String id = e.getKey();
            JsonNode j = e.getValue();
            if (!j.get("state").asText().equals("COMPLETED")) {
                out.println(ApiClient.text(j, "name") + ": " + ApiClient.text(j, "state")
                        + (j.hasNonNull("failure") ? " — " + ApiClient.text(j, "failure") : ""));
                ok = false;
                continue;
            }
            var r = api.raw("/api/v1/jobs/" + id + "/result");
            if (jobs.get(id).equals("mandelbrot")) {
                Path png = dir.resolve("mandelbrot.png").toAbsolutePath();
                Files.write(png, r.body());
                out.println("Mandelbrot image (" + r.body().length + " bytes): " + png);
            } else {
                JsonNode result = ApiClient.JSON.readTree(r.body());
                out.println("Primes below " + PRIMES_TO + ": " + result.get("count").asLong() + "   " + new String(r.body()));
            }
        }
        out.flush();
        return ok;
    }

    private static void shutdown(List<Worker> swarm, Coordinator coordinator) {
        for (Worker w : swarm) {
            try {
                w.stop(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                // best effort
            }
        }
        coordinator.close();
    }

    private static void quietLogs() {
        System.setProperty("org.slf4j.simpleLogger.log.org.enjambre", "warn");
        WORKER_LOGS.setLevel(java.util.logging.Level.WARNING);
    }

    private static boolean available(int port) {
        if (port == 0) {
            return false;
        }
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
