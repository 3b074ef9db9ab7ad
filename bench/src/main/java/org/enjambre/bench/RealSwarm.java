package org.enjambre.bench;

import com.fasterxml.jackson.databind.JsonNode;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The headline figure: the shipped distribution as a user runs it. One {@code enjambre coordinator} process
 * (embedded H2, durable) and N {@code enjambre worker --cores C} processes, each with its own data directory,
 * all on loopback; a noop job (replicas 2, quorum 2) sized to run for about {@code seconds}, timed from
 * {@code POST} to COMPLETED, checked (state, merged result, every result reported and valid). The coordinator
 * and the first worker record JFR ({@code default} settings, waits from 1 ms); the profiles keep only the measured job's events.
 */
final class RealSwarm {
    private static final Pattern UP = Pattern.compile("coordinator up at (http://\\S+)");
    private static final long POLL_MS = 50;

    private final Path jar;
    private final Path logs;
    private final int workers;
    private final int cores;
    private final boolean jfr;
    private final Consumer<String> say;

    RealSwarm(Path jar, Path logs, int workers, int cores, boolean jfr, Consumer<String> say) {
        this.jar = jar;
        this.logs = logs;
        this.workers = workers;
        this.cores = cores;
        this.jfr = jfr;
        this.say = say;
    }

    /** Runs a warm-up job, then a job of about {@code seconds}; stops every process, reads the profiles. */
    Results.Real run(double seconds, List<String> notes) throws Exception {
        Path dir = Files.createTempDirectory("enjambre-bench-real");
        List<Proc> procs = new ArrayList<>();
        Path coordinatorJfr = logs.resolve("real-coordinator.jfr");
        Path workerJfr = logs.resolve("real-worker-1.jfr");
        Measured m;
        try {
            Proc coordinator = Proc.start("coordinator", java(jfr ? coordinatorJfr : null, "coordinator", "--host", "127.0.0.1", "--port", "0",
                    "--data-dir", dir.resolve("coordinator").toString(), "--api-key", Bench.API_KEY,
                    "--cluster-port", Integer.toString(Bench.freePort()), "--cluster-name", "bench-real-" + UUID.randomUUID().toString().substring(0, 8),
                    "--allow-same-host"), logs.resolve("real-coordinator.log"), UP);
            procs.add(coordinator);
            String url = coordinator.awaitLine(180).group(1);
            say.accept("real: coordinator up at " + url + "; starting " + workers + " workers with --cores " + cores);
            List<Proc> ws = new ArrayList<>();
            for (int i = 1; i <= workers; i++) {
                Proc w = Proc.start("worker-" + i, java(jfr && i == 1 ? workerJfr : null, "worker", "--coordinator", url,
                        "--cores", Integer.toString(cores), "--data-dir", dir.resolve("worker-" + i).toString(), "--name", "bench-worker-" + i),
                        logs.resolve("real-worker-" + i + ".log"), null);
                procs.add(w);
                ws.add(w);
            }
            Submitter s = new Submitter(url, Bench.API_KEY);
            awaitWorkers(s, procs);
            Measured warm = job(s, coordinator, ws, 500);
            say.accept(String.format(Locale.ROOT, "real: warm-up %,d units in %.2f s = %s round-trips/s", warm.units, warm.seconds,
                    Report.num(warm.tasks / warm.seconds)));
            // Steady state, as volunteers and coordinators run for hours: C2 keeps compiling the per-task code of
            // young JVMs for tens of seconds, which was most of the workers' CPU in a job measured after 10 s of
            // warm-up (BENCHMARKS.md, eighth session). -Dbench.realWarmSeconds sets it (default 60).
            // Warm-up jobs until that long has passed, each sized from the one before: sized once from the first
            // (500 units, mostly start-up), a "30 s" warm-up ran ~3 s at the real rate (found in the ninth session).
            int warmSeconds = Integer.getInteger("bench.realWarmSeconds", 60);
            double warmed = warm.seconds;
            while (warmed < warmSeconds) {
                warm = job(s, coordinator, ws, units(warm.tasks / warm.seconds, Math.max(5, Math.min(15, warmSeconds - warmed))));
                warmed += warm.seconds;
                say.accept(String.format(Locale.ROOT, "real: warm-up %,d units = %s round-trips/s (%.0f s of %d s)", warm.units,
                        Report.num(warm.tasks / warm.seconds), warmed, warmSeconds));
            }
            // A fixed size (-Dbench.realUnits) makes runs of different jars comparable on a loaded machine: sized from
            // the warm-up, a slow warm-up gives a small job whose CPU per round-trip is mostly warm-up costs.
            int fixed = Integer.getInteger("bench.realUnits", 0);
            m = job(s, coordinator, ws, fixed > 0 ? fixed : units(warm.tasks / warm.seconds, seconds));
            check(m, notes);
        } finally {
            for (int i = procs.size() - 1; i >= 0; i--) {
                procs.get(i).close();
            }
            Bench.deleteTree(dir);
        }
        Profile cp = jfr ? profile(coordinatorJfr, m) : null;
        Profile wp = jfr ? profile(workerJfr, m) : null;
        return new Results.Real(workers, cores, m.units, m.tasks, m.seconds, m.coordinatorCpu, m.workersCpu, m.fetches,
                m.throttled, m.reports, cp, wp);
    }

    private List<String> java(Path recording, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (recording != null) {
            // Waits on files, sockets and locks from 1 ms (the default settings record only those above 10-20 ms).
            cmd.add("-XX:StartFlightRecording=settings=default,file-threshold=1ms,socket-threshold=1ms,locking-threshold=1ms,"
                    + "dumponexit=true,filename=" + recording.toAbsolutePath());
        }
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    private void awaitWorkers(Submitter s, List<Proc> procs) throws InterruptedException {
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (System.nanoTime() < deadline) {
            int online = 0;
            for (JsonNode w : s.get("/api/v1/workers").path("workers")) {
                online += w.path("online").asBoolean() ? 1 : 0;
            }
            if (online >= workers) {
                return;
            }
            for (Proc p : procs) {
                if (!p.alive()) {
                    throw new IllegalStateException("a process of the swarm ended early; see " + logs + "/real-*.log");
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(workers + " workers did not come online within 180 s; see " + logs + "/real-worker-*.log");
    }

    /** One measured job; a run's figures, with what it changed on the coordinator's counters. */
    private record Measured(int units, String id, String state, String failure, String result, long tasks, long valid, double seconds,
                            double coordinatorCpu, double workersCpu, long fetches, long throttled, long reports,
                            Instant from, Instant to) {
    }

    private Measured job(Submitter s, Proc coordinator, List<Proc> ws, int units) throws InterruptedException {
        String before = s.text("/metrics");
        long cpu0 = coordinator.cpuNanos();
        long wcpu0 = ws.stream().mapToLong(Proc::cpuNanos).sum();
        Instant from = Instant.now();
        long t0 = System.nanoTime();
        String id = s.submit(Submitter.noopJob("real " + units, units, 2, 2));
        JsonNode job = s.get("/api/v1/jobs/" + id);
        while (!terminal(job.path("state").asText())) {
            Thread.sleep(POLL_MS);
            job = s.get("/api/v1/jobs/" + id);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Instant to = Instant.now();
        double coordinatorCpu = (coordinator.cpuNanos() - cpu0) / 1e9;
        double workersCpu = (ws.stream().mapToLong(Proc::cpuNanos).sum() - wcpu0) / 1e9;
        String after = s.text("/metrics");
        String state = job.path("state").asText();
        String result = state.equals("COMPLETED") ? s.result(id) : "";
        long fetches = httpCount(after, "/api/v1/work/fetch", null) - httpCount(before, "/api/v1/work/fetch", null);
        long throttled = httpCount(after, "/api/v1/work/fetch", "429") - httpCount(before, "/api/v1/work/fetch", "429");
        long reports = httpCount(after, "/api/v1/work/report", null) - httpCount(before, "/api/v1/work/report", null);
        return new Measured(units, id, state, job.path("failure").asText(""), result, job.path("tasks").path("reported").asLong(),
                job.path("tasks").path("valid").asLong(), seconds, coordinatorCpu, workersCpu, fetches, throttled, reports, from, to);
    }

    private static boolean terminal(String state) {
        return state.equals("COMPLETED") || state.equals("FAILED") || state.equals("CANCELLED");
    }

    /** Fails unless the job completed with the right merged result; notes any result beyond two per unit. */
    private static void check(Measured m, List<String> notes) {
        if (!m.state.equals("COMPLETED")) {
            throw new IllegalStateException("real-worker job " + m.id + " ended " + m.state + ": " + m.failure);
        }
        if (!m.result.replace(" ", "").equals("{\"workUnits\":" + m.units + "}")) {
            throw new IllegalStateException("real-worker job " + m.id + " merged a wrong result: " + m.result);
        }
        if (m.tasks != 2L * m.units || m.valid != 2L * m.units) {
            notes.add(String.format(Locale.ROOT, "real workers: %,d results reported and %,d valid for %,d units (expected %,d each).",
                    m.tasks, m.valid, m.units, 2L * m.units));
        }
    }

    /** Sum of the Prometheus counts of {@code enjambre.http.requests} on a route (and status, when given). */
    static long httpCount(String metrics, String route, String status) {
        long n = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("enjambre_http_requests_seconds_count{") && line.contains("route=\"" + route + "\"")
                    && (status == null || line.contains("status=\"" + status + "\""))) {
                n += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return n;
    }

    /** Units for a run of about {@code seconds} at {@code tasksPerSecond} (two round-trips per unit). */
    static int units(double tasksPerSecond, double seconds) {
        return (int) Math.max(200, Math.min(2_000_000, Math.round(tasksPerSecond * seconds / 2 / 100) * 100));
    }

    private Profile profile(Path recording, Measured m) {
        if (!Files.exists(recording)) {
            say.accept("real: no JFR recording at " + recording + " (the process did not stop cleanly?)");
            return null;
        }
        try {
            return Profile.of(RecordingFile.readAllEvents(recording), 15, m.from, m.to);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + recording + ": " + e.getMessage(), e);
        }
    }
}
