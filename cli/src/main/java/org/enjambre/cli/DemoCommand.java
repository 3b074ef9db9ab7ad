package org.enjambre.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.enjambre.client.EnjambreClient;
import org.enjambre.client.EnjambreException;
import org.enjambre.client.Job;
import org.enjambre.client.JobSpec;
import org.enjambre.client.JobState;
import org.enjambre.client.SavedResult;
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
    private static final ObjectMapper JSON = new ObjectMapper();
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

            Map<String, String> jobs = new LinkedHashMap<>();
            boolean ok;
            try (EnjambreClient api = ClientOptions.client(coordinator.url(), coordinator.apiKey(), Duration.ofSeconds(60))) {
                jobs.put(api.submit(JobSpec.builder("primes").name("primes below ten million")
                        .input(Map.of("from", 2, "to", PRIMES_TO)).workUnits(100).replicas(2).quorum(2).build()).id(), "primes");
                jobs.put(api.submit(JobSpec.builder("mandelbrot").name("mandelbrot 800x600")
                        .inputJson("{\"width\":800,\"height\":600,\"xMin\":-2.2,\"xMax\":0.8,\"yMin\":-1.125,\"yMax\":1.125,"
                                + "\"maxIterations\":500}").workUnits(30).replicas(2).quorum(2).build()).id(), "mandelbrot");
                ok = watch(api, jobs, out, dir);
            }
            if (exitWhenDone) {
                return ok ? 0 : 1;
            }
            out.println("The swarm keeps running; the dashboard is at " + coordinator.url() + "/ . Press Ctrl-C to stop.");
            out.flush();
            interrupted.await();
            return ok ? 0 : 1;
        } catch (EnjambreException e) {
            err.println("demo: " + Shown.failure(e));
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
    private boolean watch(EnjambreClient api, Map<String, String> jobs, PrintWriter out, Path dir) throws Exception {
        boolean terminal = System.console() != null;
        Map<String, String> lastLine = new LinkedHashMap<>();
        long lastPrint = 0;
        boolean first = true;
        while (true) {
            Map<String, Job> views = new LinkedHashMap<>();
            boolean allDone = true;
            for (String id : jobs.keySet()) {
                Job j = api.job(id);
                views.put(id, j);
                allDone &= j.terminal();
            }
            List<String> lines = new ArrayList<>();
            for (Job j : views.values()) {
                lines.add(ProgressBar.render(String.format("%-26s", Shown.text(j.name())), j.progress(),
                        j.workUnits().done(), j.workUnits().total(), j.state().name()));
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

    private boolean results(EnjambreClient api, Map<String, Job> views, Map<String, String> jobs, PrintWriter out, Path dir)
            throws IOException {
        boolean ok = true;
        for (Map.Entry<String, Job> e : views.entrySet()) {
            String id = e.getKey();
            Job j = e.getValue();
            if (j.state() != JobState.COMPLETED) {
                out.println(Shown.text(j.name()) + ": " + j.state() + (j.failure() != null ? " — " + Shown.text(j.failure()) : ""));
                ok = false;
                continue;
            }
            if (jobs.get(id).equals("mandelbrot")) {
                SavedResult png = api.resultTo(id, dir.resolve("mandelbrot.png").toAbsolutePath());
                out.println("Mandelbrot image (" + png.size() + " bytes): " + png.file());
            } else {
                String text = api.result(id).text();
                out.println("Primes below " + PRIMES_TO + ": " + JSON.readTree(text).get("count").asLong() + "   " + text);
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
