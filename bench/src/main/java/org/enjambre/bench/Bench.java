package org.enjambre.bench;

import com.hazelcast.map.listener.EntryUpdatedListener;
import jdk.jfr.Recording;
import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.CoordinatorOptions;
import org.enjambre.coordinator.http.Limits;
import org.enjambre.coordinator.metrics.PathTrace;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.workunits.model.JobState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The benchmark: throughput of the shipped distribution (real coordinator and worker processes), then
 * throughput, latency and scale of one coordinator peer with simulated workers, with JPPF 6.2 and Hazelcast's
 * executor as baselines measured in the same run; prints a table and rewrites the generated section of BENCHMARKS.md.
 * Options: {@code --quick} (small sizes, a smoke run), {@code --only scale,throughput,...} (some sections only),
 * {@code --output FILE}, {@code --no-write}, {@code --summarize FILE.jfr} (print a recording's profile).
 */
public final class Bench {
    static final String API_KEY = "bench-api-key-0123456789";
    static final String COMMAND = "mvn -B -q -pl cli,bench -am package -DskipTests && java -jar bench/target/enjambre-bench.jar";
    /** The typical configuration: 8 workers fetching 16 tasks at a time. */
    static final int TYPICAL_WORKERS = 8;
    static final int TYPICAL_BATCH = 16;
    static final int[][] SWEEP = {{4, 16}, {8, 16}, {16, 16}, {8, 64}, {16, 64}, {32, 64}, {8, 256}};
    /** Runs of the typical configuration whose median is the typical figure. */
    static final int TYPICAL_RUNS = 3;
    static final long WAIT_MS = 500;
    static final String FETCH = "/api/v1/work/fetch";
    /** Bounds of the coordinator's own fetch durations the long-poll probe counts (its p50/p99 are read from them). */
    static final java.time.Duration[] POLL_BOUNDS = java.util.stream.LongStream.of(1000, 1010, 1025, 1050, 1100, 1150, 1200,
            1300, 1400, 1500, 1750, 2000, 2500, 3000, 4000, 6000, 10_000, 20_000).mapToObj(java.time.Duration::ofMillis)
            .toArray(java.time.Duration[]::new);
    /** Empty tasks the Hazelcast baseline runs before it measures, so that both members' code is compiled. */
    static final long BASELINE_WARMUP = 100_000;
    /** Tasks per JPPF job in the JPPF baseline's throughput figure. */
    static final int JPPF_PER_JOB = 1000;
    /** Real worker processes and the cores each runs tasks on (issue 16: 4 x --cores 2). */
    static final int REAL_WORKERS = 4;
    static final int REAL_CORES = 2;

    /** The sections, in the order they run: the baselines and the real swarm first, then the coordinator-only ones. */
    static final List<String> ALL = List.of("jppf", "baseline", "real", "scale", "throughput", "latency", "profile", "polling");

    private final boolean quick;
    private final List<String> sections;
    private final Path logs;
    private final List<String> notes = new ArrayList<>();
    private final Map<String, CompletableFuture<JobRecord>> finished = new ConcurrentHashMap<>();

    private Bench(boolean quick, List<String> sections, Path logs) {
        this.quick = quick;
        this.sections = sections;
        this.logs = logs;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("hazelcast.phone.home.enabled", "false");
        System.setProperty("hazelcast.logging.type", "slf4j");
        boolean quick = false;
        boolean write = true;
        Path output = null;
        List<String> sections = ALL;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--no-write" -> write = false;
                case "--output" -> {
                    if (i + 1 >= args.length) {
                        usage("--output needs a file name");
                    }
                    output = Path.of(args[++i]);
                }
                case "--help", "-h" -> {
                    System.out.println("usage: java [-Dbench.only=SECTION,...] -jar bench/target/enjambre-bench.jar [--quick] [--only SECTION,...]"
                            + " [--no-write] [--output FILE]\n"
                            + "       java -jar bench/target/enjambre-bench.jar --summarize RECORDING.jfr\n"
                            + "sections: " + String.join(",", ALL) + " (baseline = hazelcast)");
                    return;
                }
                case "--only" -> {
                    if (i + 1 >= args.length) {
                        usage("--only needs a comma-separated list of " + String.join(",", ALL));
                    }
                    sections = sections(args[++i]);
                }
                case "--summarize" -> {
                    if (i + 1 >= args.length) {
                        usage("--summarize needs a JFR recording");
                    }
                    System.out.print(Report.profileTables(Profile.of(jdk.jfr.consumer.RecordingFile.readAllEvents(Path.of(args[++i])), 25)));
                    return;
                }
                default -> usage("unknown option '" + args[i] + "'");
            }
        }
        if (System.getProperty("bench.only") != null) {
            sections = sections(System.getProperty("bench.only"));
        }
        Path root = repoRoot();
        if (output == null && root != null) {
            output = root.resolve("BENCHMARKS.md");
        }
        Path logs = root != null ? root.resolve("bench/target/bench-run") : Files.createTempDirectory("enjambre-bench-logs");
        Files.createDirectories(logs);
        Results results = new Bench(quick, sections, logs).runAll();
        System.out.println();
        System.out.println(Report.table(results));
        if (write && output != null) {
            String existing = Files.exists(output) ? Files.readString(output) : null;
            Files.writeString(output, Report.merge(existing, Report.markdown(results), header(), footer()));
            System.out.println("wrote " + output.toAbsolutePath().normalize() + (quick ? " (quick run)" : ""));
        } else if (write) {
            System.out.println("not in a checkout (no bench/pom.xml found): BENCHMARKS.md not written; use --output FILE");
        }
        System.out.println("logs and the JFR recording: " + logs.toAbsolutePath().normalize());
        System.exit(0);
    }

    /** A comma-separated list of sections ({@code hazelcast} is another name for {@code baseline}), checked. */
    private static List<String> sections(String list) {
        List<String> out = new ArrayList<>();
        for (String x : list.split(",")) {
            String name = x.trim().equals("hazelcast") ? "baseline" : x.trim();
            if (!ALL.contains(name)) {
                usage("'" + x + "' is not one of " + String.join(",", ALL) + " (or hazelcast)");
            }
            out.add(name);
        }
        return ALL.stream().filter(out::contains).toList();
    }

    private static void usage(String message) {
        System.err.println("enjambre-bench: " + message + " (see --help)");
        System.exit(2);
    }

    private Results runAll() throws Exception {
        Results.Machine machine = machine();
        say("machine: %s, %d cores, %.1f GiB, %s, load average %.2f", machine.cpu(), machine.cores(),
                machine.ramBytes() / (1024.0 * 1024 * 1024), machine.jdk(), machine.loadAverage());
        if (machine.loadAverage() > machine.cores() / 2.0) {
            notes.add(String.format(Locale.ROOT, "the machine was busy: load average %.1f on %d cores when the run started, so "
                    + "these figures understate what an idle machine does.", machine.loadAverage(), machine.cores()));
        }
        if (quick) {
            notes.add("quick run (--quick): smaller jobs and fewer runs; not comparable with a full run.");
        }
        if (!sections.equals(ALL)) {
            notes.add("partial run: only " + String.join(", ", sections) + ".");
        }
        Results.Jppf jppf = sections.contains("jppf") ? jppf() : null;
        Results.Baseline baseline = sections.contains("baseline") ? baseline(quick ? 50_000 : 300_000) : null;
        Results.Real real = null;
        if (sections.contains("real")) {
            say("real: the shipped distribution %s, %d worker processes with --cores %d", enjambreJar(), REAL_WORKERS, REAL_CORES);
            real = new RealSwarm(enjambreJar(), logs, REAL_WORKERS, REAL_CORES, Boolean.parseBoolean(System.getProperty("bench.realJfr", "true")),
                    line -> say("%s", line)).run(Double.parseDouble(System.getProperty("bench.realSeconds", quick ? "15" : "40")), notes);
            say("real: %,d units in %.2f s = %s round-trips/s; CPU per round-trip: coordinator %.0f us, workers %.0f us; %,d fetches"
                            + " (%,d throttled with 429), %,d reports", real.units(), real.seconds(), Report.num(real.tasksPerSecond()),
                    real.coordinatorMicrosPerTask(), real.workersMicrosPerTask(), real.fetches(), real.throttled(), real.reports());
        }
        Results.Scale scale = sections.contains("scale") ? scale(quick ? 100_000 : 1_000_000) : null;

        Path dir = Files.createTempDirectory("enjambre-bench");
        List<Results.Throughput> sweep = new ArrayList<>();
        Results.Throughput typical = null;
        Latencies latency = null;
        Results.Polling polling = null;
        Profile profile = null;
        Results.Throughput profiled = null;
        boolean inProcess = sections.stream().anyMatch(List.of("throughput", "latency", "profile", "polling")::contains);
        try (Coordinator c = inProcess ? Coordinator.start(coordinatorOptions(dir)) : null) {
            if (c == null) {
                return new Results(machine, COMMAND, baseline, jppf, real, sweep, null, null, scale, null, null, null, List.copyOf(notes));
            }
            c.metrics().bucketed(FETCH, POLL_BOUNDS);
            c.node().jobs().addEntryListener((EntryUpdatedListener<String, JobRecord>) e -> {
                if (e.getValue() != null && e.getValue().state().terminal()) {
                    done(e.getKey()).complete(e.getValue());
                }
            }, true);
            Submitter submitter = new Submitter(c.url(), c.apiKey());
            String simCpus = System.getProperty("bench.simCpus");
            if (simCpus != null) {
                notes.add(String.format(Locale.ROOT, "the simulated workers and the long-poll generator ran pinned to CPU(s) %s"
                        + " (taskset -c); the bench JVM, with the coordinator, may use CPU(s) %s.", simCpus, cpusAllowed()));
            }
            try (Child sim = Child.start("sim-workers", SimWorkers.class, List.of("-Xmx2g", "-Dbench.simHttp=" + System.getProperty("bench.simHttp", "socket")), List.of(c.url()), logs.resolve("sim-workers.log"),
                    simCpus)) {
                double estimate = 0;
                // The recording starts before the warm-up: starting JFR instruments the JDK's socket and file classes,
                // which throws away compiled code; started right before the profiled job (as it was until the tenth
                // session) it measured a JIT warming up again (4,767 round-trips/s and 370 us of CPU each against
                // 13,747 and 94 without it). Only the profiled job's samples are summarized.
                Recording rec = sections.contains("profile") ? Profile.start() : null;
                if (sections.contains("throughput") || sections.contains("profile")) {
                    say("warming up");
                    // Steady state, as with the real workers: warm-up jobs run until -Dbench.simWarmSeconds (default 60)
                    // have passed. The earlier warm-up (5,000 units, then ~3 s) left the JIT compiling through the
                    // sweep's first configurations, the typical one among them (tenth session).
                    int warmSeconds = Integer.getInteger("bench.simWarmSeconds", quick ? 3 : 60);
                    Results.Throughput w = throughput(c, sim, submitter, TYPICAL_WORKERS, TYPICAL_BATCH, quick ? 1000 : 5000);
                    double warmed = w.seconds();
                    while (warmed < warmSeconds) {
                        w = throughput(c, sim, submitter, TYPICAL_WORKERS, TYPICAL_BATCH,
                                units(w.tasksPerSecond(), Math.max(5, Math.min(15, warmSeconds - warmed))));
                        warmed += w.seconds();
                    }
                    estimate = w.tasksPerSecond();
                    say("warm-up: %.0f s, last %s round-trips/s", warmed, Report.num(estimate));
                }
                if (sections.contains("throughput")) {
                    int[][] configs = System.getProperty("bench.sweep") != null ? sweep(System.getProperty("bench.sweep"))
                            : quick ? new int[][]{{8, 16}, {16, 64}} : SWEEP;
                    for (int[] cfg : configs) {
                        boolean isTypical = cfg[0] == TYPICAL_WORKERS && cfg[1] == TYPICAL_BATCH;
                        // The typical figure carries a target: the median of three runs (one 5-7 s run swings +-15 %
                        // on a 2-core machine, eleventh session), with all three in the notes.
                        List<Results.Throughput> runs = new ArrayList<>();
                        for (int r = 0; r < (isTypical && !quick ? TYPICAL_RUNS : 1); r++) {
                            runs.add(throughput(c, sim, submitter, cfg[0], cfg[1], units(estimate, quick ? 1.5 : 6)));
                        }
                        Results.Throughput t = median(runs);
                        sweep.add(t);
                        if (isTypical) {
                            typical = t;
                            if (runs.size() > 1) {
                                notes.add(typicalRuns(runs));
                            }
                        }
                    }
                }
                if (sections.contains("latency")) {
                    latency = latency(c, sim, submitter, quick ? 50 : 200);
                }
                if (sections.contains("profile")) {
                    say("profiling a typical run with JFR");
                    java.time.Instant from = java.time.Instant.now();
                    profiled = throughput(c, sim, submitter, TYPICAL_WORKERS, TYPICAL_BATCH, units(estimate, quick ? 1.5 : 6));
                    profile = Profile.stop(rec, logs.resolve("throughput.jfr"), 15, from, java.time.Instant.now());
                }
                if (sections.contains("polling")) {
                    polling = polling(c, sim, quick ? 1000 : 10_000, 1000);
                }
            }
        } finally {
            deleteTree(dir);
        }
        return new Results(machine, COMMAND, baseline, jppf, real, sweep, typical, latency, scale, polling, profile, profiled, List.copyOf(notes));
    }

    /** The run with the median rate (the lower middle of an even count). */
    static Results.Throughput median(List<Results.Throughput> runs) {
        List<Results.Throughput> sorted = new ArrayList<>(runs);
        sorted.sort(java.util.Comparator.comparingDouble(Results.Throughput::tasksPerSecond));
        return sorted.get((sorted.size() - 1) / 2);
    }

    /** The note naming every run of the typical configuration, in the order they ran. */
    static String typicalRuns(List<Results.Throughput> runs) {
        StringBuilder b = new StringBuilder("the typical figure (" + TYPICAL_WORKERS + " x batch " + TYPICAL_BATCH
                + ") is the median of " + runs.size() + " runs: ");
        for (int i = 0; i < runs.size(); i++) {
            Results.Throughput t = runs.get(i);
            b.append(i == 0 ? "" : ", ").append(Report.num(t.tasksPerSecond())).append(" round-trips/s (")
                    .append(String.format(Locale.ROOT, "%.0f", t.coordinatorMicrosPerTask())).append(" us)");
        }
        return b.append(" (coordinator CPU per round-trip in brackets).").toString();
    }

    private CompletableFuture<JobRecord> done(String jobId) {
        return finished.computeIfAbsent(jobId, k -> new CompletableFuture<>());
    }

    /** {@code -Dbench.sweep=8x16,8x256}: the simulated-worker configurations to run, workers x batch. */
    static int[][] sweep(String spec) {
        String[] parts = spec.split(",");
        int[][] out = new int[parts.length][];
        for (int i = 0; i < parts.length; i++) {
            String[] wb = parts[i].trim().split("x");
            try {
                out[i] = new int[]{Integer.parseInt(wb[0].trim()), Integer.parseInt(wb[1].trim())};
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("bench.sweep: expected WORKERSxBATCH[,...] such as 8x16,8x256, got '" + parts[i] + "'");
            }
            if (out[i][0] < 1 || out[i][1] < 1 || out[i][1] > Limits.MAX_FETCH) {
                throw new IllegalArgumentException("bench.sweep: workers must be >= 1 and batch 1.." + Limits.MAX_FETCH
                        + " (the coordinator's largest fetch), got '" + parts[i] + "'");
            }
        }
        return out;
    }

    /** Units for a run of about {@code seconds} at {@code tasksPerSecond} (two round-trips per unit). */
    private static int units(double tasksPerSecond, double seconds) {
        return (int) Math.max(1000, Math.min(1_000_000, Math.round(tasksPerSecond * seconds / 2 / 100) * 100));
    }

    private Results.Throughput throughput(Coordinator c, Child sim, Submitter submitter, int workers, int batch, int units) throws Exception {
        sim.send("run " + workers + " " + batch + " " + WAIT_MS);
        sim.expect("running", 120);
        long reads0 = c.node().jobs().getLocalMapStats().getGetOperationCount();
        long cpu0 = processCpuNanos();
        long childCpu0 = sim.cpuNanos();
        long t0 = System.nanoTime();
        String id = submitter.submit(Submitter.noopJob("bench " + workers + "x" + batch, units, 2, 2));
        JobRecord job = done(id).get(Math.max(300, units / 100), TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double coordinatorCpu = (processCpuNanos() - cpu0) / 1e9;
        double workersCpu = (sim.cpuNanos() - childCpu0) / 1e9;
        long jobReads = c.node().jobs().getLocalMapStats().getGetOperationCount() - reads0;
        sim.send("stop");
        Answer a = sim.expect("stopped", 120);
        if (job.state() != JobState.COMPLETED) {
            throw new IllegalStateException("throughput job " + id + " ended " + job.state() + ": " + job.failure());
        }
        String result = submitter.result(id);
        if (!result.replace(" ", "").equals("{\"workUnits\":" + units + "}")) {
            throw new IllegalStateException("throughput job " + id + " merged a wrong result: " + result);
        }
        long accepted = a.number("accepted");
        long errors = a.number("errors") + a.number("rejected");
        if (accepted != 2L * units) {
            notes.add(String.format(Locale.ROOT, "run %dx%d: workers had %d results accepted for %d units (expected %d).",
                    workers, batch, accepted, units, 2L * units));
        }
        if (errors > 0) {
            notes.add(String.format(Locale.ROOT, "run %dx%d: %d errors or refusals; first: %s", workers, batch, errors, a.text("firstError")));
        }
        awaitDrained(c);
        Results.Throughput t = new Results.Throughput(workers, batch, units, accepted, seconds, a.number("fetches"),
                a.number("emptyFetches"), errors, coordinatorCpu, workersCpu, jobReads);
        say("throughput %2d workers x batch %3d: %,9d units in %6.2f s = %s round-trips/s, %s units/s; CPU per round-trip: "
                        + "coordinator %.0f us, workers %.0f us; %d fetches (%d empty), %.2f job-record reads per round-trip", workers,
                batch, units, seconds, Report.num(t.tasksPerSecond()), Report.num(t.unitsPerSecond()), t.coordinatorMicrosPerTask(),
                t.workersMicrosPerTask(), t.fetches(), t.emptyFetches(), (double) jobReads / t.tasks());
        return t;
    }

    /** Waits until a finished job's units have left the map, so that runs do not overlap. */
    private static void awaitDrained(Coordinator c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (c.node().units().size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private Latencies latency(Coordinator coordinator, Child sim, Submitter submitter, int jobs) throws Exception {
        say("latency: %d one-unit jobs (replicas 1, quorum 1), 4 idle workers long-polling", jobs);
        sim.send("run 4 4 " + WAIT_MS);
        sim.expect("running", 120);
        // Submitting and completing a job is a path the throughput runs pass once per job: 20 warm-up jobs (until the
        // tenth session) left it to the interpreter and the JIT during the measured ones.
        Probe blocking = probe(Submitter.blocking(coordinator.url(), coordinator.apiKey()), jobs, Math.max(10, jobs * 5 / 2));
        Probe jdk = probe(submitter, jobs, Math.max(10, jobs / 2));
        sim.send("stop");
        sim.expect("stopped", 120);
        Latencies l = blocking.total();
        say("latency: p50 %s, p99 %s, max %s (blocking HTTP/1.1 probe); java.net.http probe p50 %s, p99 %s",
                Report.ms(l.p50Ms()), Report.ms(l.p99Ms()), Report.ms(l.maxMs()),
                Report.ms(jdk.total().p50Ms()), Report.ms(jdk.total().p99Ms()));
        for (String row : blocking.traceRows()) {
            say("trace: %s", row);
        }
        for (String row : blocking.slowest()) {
            say("latency: slowest job, %s", row);
        }
        String path = "One-unit job path, blocking probe (PathTrace: median microseconds from the probe's submit to each"
                + " step; #2 when it was reached again): " + String.join(", ", blocking.medians()) + ".";
        say("latency: %s", path);
        notes.add(path);
        String seen = String.format(Locale.ROOT, "One-unit job latency with the probe's HTTP client (p50 / p99 of submit"
                + " -> result): a blocking HTTP/1.1 connection, as curl or Python's http.client talk (the headline), %s / %s;"
                + " java.net.http, as the Java client and the CLI talk, %s / %s. Its split (medians): the submit request %s,"
                + " then until COMPLETED was seen %s, the result request %s.",
                Report.ms(l.p50Ms()), Report.ms(l.p99Ms()), Report.ms(jdk.total().p50Ms()), Report.ms(jdk.total().p99Ms()),
                Report.ms(jdk.split()[0].p50Ms()), Report.ms(jdk.split()[1].p50Ms()), Report.ms(jdk.split()[2].p50Ms()));
        say("latency: %s", seen);
        notes.add(seen);
        return l;
    }

    /**
     * One probe's one-unit jobs: submit, wait until COMPLETED (seen in the cluster), read the result; {@code warm} jobs
     * first, not counted. The coordinator's {@link PathTrace} marks of each measured job are kept.
     */
    private Probe probe(Submitter submitter, int jobs, int warm) throws Exception {
        long[] nanos = new long[jobs];
        long[][] split = new long[3][jobs]; // the probe's own view: submit request, wait for COMPLETED, result request
        java.util.Map<String, List<Long>> trace = new java.util.HashMap<>();
        List<Map.Entry<Long, String>> paths = new ArrayList<>(); // each measured job: its total, its marks in order
        PathTrace.start();
        try {
            for (int i = 0; i < warm + jobs; i++) {
                PathTrace.drain();
                long t0 = System.nanoTime();
                String id = submitter.submit(Submitter.noopJob("latency " + i, 1, 1, 1));
                long t1 = System.nanoTime();
                PathTrace.mark("probe: 201 read");
                JobRecord job = done(id).get(60, TimeUnit.SECONDS);
                PathTrace.mark("probe: saw COMPLETED");
                if (job.state() != JobState.COMPLETED) {
                    throw new IllegalStateException("latency job " + id + " ended " + job.state() + ": " + job.failure());
                }
                long t2 = System.nanoTime();
                submitter.result(id);
                long t3 = System.nanoTime();
                PathTrace.mark("probe: result read");
                if (i >= warm) {
                    nanos[i - warm] = t3 - t0;
                    split[0][i - warm] = t1 - t0;
                    split[1][i - warm] = t2 - t1;
                    split[2][i - warm] = t3 - t2;
                    java.util.Map<String, Integer> times = new java.util.HashMap<>();
                    StringBuilder path = new StringBuilder();
                    for (PathTrace.Mark m : PathTrace.drain()) {
                        int n = times.merge(m.label(), 1, Integer::sum); // a step reached again: "label #2"
                        trace.computeIfAbsent(n == 1 ? m.label() : m.label() + " #" + n, x -> new ArrayList<>()).add(m.nanos() - t0);
                        path.append(path.length() == 0 ? "" : ", ").append(m.label()).append(' ').append((m.nanos() - t0) / 1000);
                    }
                    paths.add(Map.entry(t3 - t0, path.toString()));
                }
            }
        } finally {
            PathTrace.stop();
        }
        paths.sort(Map.Entry.comparingByKey());
        List<String> slowest = new ArrayList<>();
        for (int i = paths.size() - 1; i >= Math.max(0, paths.size() - 3); i--) {
            slowest.add(String.format(Locale.ROOT, "%s: %s", Report.ms(paths.get(i).getKey() / 1e6), paths.get(i).getValue()));
        }
        return new Probe(Latencies.ofNanos(nanos), new Latencies[]{Latencies.ofNanos(split[0]), Latencies.ofNanos(split[1]),
                Latencies.ofNanos(split[2])}, trace, slowest);
    }

    /** One probe's figures: submit -> result, its three requests' split, and the path trace's offsets by mark. */
    private record Probe(Latencies total, Latencies[] split, java.util.Map<String, List<Long>> trace, List<String> slowest) {
        /** Marks by median offset: "p50 µs, p90 µs, how many jobs reached it, the mark". */
        List<String> traceRows() {
            List<String> rows = new ArrayList<>();
            for (var e : ordered()) {
                long[] a = e.getValue();
                rows.add(String.format(Locale.ROOT, "%9.1f us p50 %9.1f us p90  n=%d  %s", a[a.length / 2] / 1e3,
                        a[a.length * 9 / 10] / 1e3, a.length, e.getKey()));
            }
            return rows;
        }

        /** "mark 123" by median offset, in microseconds. */
        List<String> medians() {
            List<String> out = new ArrayList<>();
            for (var e : ordered()) {
                out.add(String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue()[e.getValue().length / 2] / 1e3));
            }
            return out;
        }

        private List<Map.Entry<String, long[]>> ordered() {
            List<Map.Entry<String, long[]>> list = new ArrayList<>();
            trace.forEach((k, v) -> list.add(Map.entry(k, v.stream().mapToLong(Long::longValue).sorted().toArray())));
            list.sort(Comparator.comparingLong(e -> e.getValue()[e.getValue().length / 2]));
            return list;
        }
    }

    private Results.Polling polling(Coordinator coordinator, Child sim, int wanted, long waitMs) {
        int n = wanted;
        long limit = maxOpenFiles();
        if (limit > 0 && limit < wanted + 1000L) {
            n = (int) Math.max(100, limit - 1000);
            notes.add(String.format(Locale.ROOT, "only %,d pollers instead of %,d: the open-file limit is %,d (raise it with ulimit -n).",
                    n, wanted, limit));
        }
        int warm = Math.max(100, n / 5);
        say("polling: registering %,d workers, opening a connection for each with one immediate fetch, warming with %,d"
                + " polls, then one long-poll on each connection at once (waitMs %d)", n, warm, waitMs);
        sim.send("pollprep " + n + " " + waitMs + " " + warm);
        Answer w = sim.expect("warmed", 900);
        say("polling: registered in %.1f s, connected in %.1f s, first fetch (waitMs 0) %,d of %,d ok, warm-up %,d of %,d ok;"
                        + " generator on %d CPU(s)", w.decimal("registerSeconds"), w.decimal("connectSeconds"), w.number("firstOk"), n,
                w.number("warmOk"), w.number("warm"), w.number("cpus"));
        double[] before = coordinator.metrics().httpSummary(FETCH);
        long[] under0 = atMost(coordinator);
        long cpu0 = processCpuNanos();
        long loops0 = threadCpuNanos("vert.x-eventloop-thread-");
        sim.send("pollgo");
        Answer a = sim.expect("polled", 900);
        double cpuPerPoll = (processCpuNanos() - cpu0) / 1e3 / n;
        double loopsPerPoll = (threadCpuNanos("vert.x-eventloop-thread-") - loops0) / 1e3 / n;
        double[] after = coordinator.metrics().httpSummary(FETCH);
        long[] under = atMost(coordinator);
        for (int i = 0; i < under.length; i++) {
            under[i] -= under0[i];
        }
        double served = after[0] - before[0];
        String serverSide = String.format(Locale.ROOT, "The %,d long-polls as the coordinator timed them (from its request"
                + " handler to the end of the response, the %d ms wait included): %,.0f fetches, mean %,.0f ms, p50 %s, p99 %s,"
                + " max %,.0f ms; the rest of the clients' figure is connection set-up and the load generator itself, on the"
                + " same 2 cores.", n, waitMs, served, served == 0 ? 0 : (after[1] * after[0] - before[1] * before[0]) / served * 1000,
                bucketOf(under, (long) served, 0.50), bucketOf(under, (long) served, 0.99), after[2] * 1000);
        serverSide += String.format(Locale.ROOT, " Coordinator CPU per long-poll %,.0f us, of which its event loops %,.0f us.",
                cpuPerPoll, loopsPerPoll);
        say("polling: %s", serverSide);
        notes.add(serverSide);
        Latencies l = new Latencies(n, a.decimal("p50"), a.decimal("p99"), a.decimal("max"));
        Results.Polling p = new Results.Polling(n, waitMs, (int) a.number("ok"), (int) a.number("failed"), l,
                a.decimal("registerSeconds"), a.decimal("launchSeconds"), a.text("firstError"));
        if (p.failed() > 0) {
            notes.add(String.format(Locale.ROOT, "%,d of %,d polls failed; first: %s", p.failed(), n, p.firstError()));
        }
        say("polling: %,d ok, %,d failed, p50 %s, p99 %s (registration took %.1f s; sending the polls took %.2f s)", p.ok(),
                p.failed(), Report.ms(l.p50Ms()), Report.ms(l.p99Ms()), p.registerSeconds(), p.launchSeconds());
        return p;
    }

    /** Fetches so far that took at most each of {@link #POLL_BOUNDS}. */
    private static long[] atMost(Coordinator c) {
        long[] n = new long[POLL_BOUNDS.length];
        for (int i = 0; i < n.length; i++) {
            n[i] = c.metrics().httpAtMost(FETCH, POLL_BOUNDS[i]);
        }
        return n;
    }

    /** "<= bound" for the smallest bound under which a fraction {@code q} of {@code total} fetches took, from bucket counts. */
    static String bucketOf(long[] under, long total, double q) {
        for (int i = 0; i < under.length; i++) {
            if (total > 0 && under[i] >= Math.ceil(q * total)) {
                return "<= " + Report.ms(POLL_BOUNDS[i].toNanos() / 1e6);
            }
        }
        return "> " + Report.ms(POLL_BOUNDS[POLL_BOUNDS.length - 1].toNanos() / 1e6);
    }

    private Results.Scale scale(int units) {
        String xmx = ramBytes() >= 8L << 30 ? "-Xmx4g" : "-Xmx2g";
        say("scale: a %,d-unit job in a fresh coordinator JVM (%s)", units, xmx);
        try (Child probe = Child.start("scale-probe", ScaleProbe.class, List.of(xmx), List.of(Integer.toString(units)),
                logs.resolve("scale-probe.log"))) {
            Answer a = probe.expect("scale", 600);
            Results.Scale s = new Results.Scale(units, a.decimal("acceptSeconds"), a.decimal("indexedSeconds"),
                    a.number("heapBefore"), a.number("heapAfter"), a.number("maxHeap"));
            say("scale: accepted in %s, indexed in %s, %,.0f bytes of heap per unit", Report.secs(s.acceptSeconds()),
                    Report.secs(s.indexedSeconds()), s.bytesPerUnit());
            return s;
        }
    }

    /** The JPPF 6.2 baseline in a child JVM: driver, node and client on loopback. */
    private Results.Jppf jppf() {
        long tasks = quick ? 50_000 : 200_000;
        int singles = quick ? 100 : 500;
        say("jppf: %,d empty tasks in jobs of %,d, then %d one-task jobs (driver, node and client in one JVM)", tasks, JPPF_PER_JOB, singles);
        try (Child j = Child.start("jppf-baseline", JppfBaseline.class, List.of("-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"),
                List.of(Long.toString(tasks), Integer.toString(JPPF_PER_JOB), Long.toString(quick ? 10_000 : 50_000), Integer.toString(singles)),
                logs.resolve("jppf-baseline.log"))) {
            Answer a = j.expect("jppf", 600);
            Results.Jppf r = new Results.Jppf(a.number("tasks"), (int) a.number("perJob"), a.decimal("seconds"), a.decimal("rate"),
                    (int) a.number("jobs"), a.decimal("p50Ms"), a.decimal("p99Ms"));
            say("jppf: %s tasks/s; one-task job p50 %s, p99 %s", Report.num(r.rate()), Report.ms(r.p50Ms()), Report.ms(r.p99Ms()));
            return r;
        }
    }

    /** The distribution jar the README ships ({@code cli/target/enjambre.jar}), or {@code -Dbench.enjambreJar=PATH}. */
    static Path enjambreJar() {
        String set = System.getProperty("bench.enjambreJar");
        Path root = repoRoot();
        Path jar = set != null ? Path.of(set) : root != null ? root.resolve("cli/target/enjambre.jar") : Path.of("cli/target/enjambre.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the distribution jar " + jar.toAbsolutePath() + " is missing: build it with "
                    + "'mvn -B -q -pl cli,bench -am package -DskipTests' or pass -Dbench.enjambreJar=PATH");
        }
        return jar.toAbsolutePath().normalize();
    }

    private Results.Baseline baseline(long tasks) {
        say("baseline: %,d empty tasks through Hazelcast's IExecutorService between two members", tasks);
        try (Child hz = Child.start("hazelcast-baseline", HazelcastBaseline.class, List.of("-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"),
                List.of(Long.toString(tasks), Long.toString(BASELINE_WARMUP)), logs.resolve("hazelcast-baseline.log"))) {
            Answer a = hz.expect("baseline", 600);
            Results.Baseline b = new Results.Baseline(a.number("tasks"), a.decimal("seconds"), a.decimal("rate"));
            say("baseline: %s tasks/s", Report.num(b.rate()));
            return b;
        }
    }

    /** Options for a lone bench peer on loopback: no rate limits, durable H2 in {@code dir}. */
    static CoordinatorOptions coordinatorOptions(Path dir) {
        return CoordinatorOptions.builder(dir).host("127.0.0.1").port(0).apiKey(API_KEY)
                .cluster("bench-" + UUID.randomUUID().toString().substring(0, 8), null).clusterPort(freePort())
                .allowSameHost(true).fetchLimit(1e9, 1_000_000).registrationLimit(1e9, 1_000_000);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }

    /** The checkout this jar was built in (…/bench/target/enjambre-bench.jar), or the working directory if it is one. */
    static Path repoRoot() {
        String cp = System.getProperty("java.class.path");
        if (cp != null && !cp.contains(java.io.File.pathSeparator) && cp.endsWith(".jar")) {
            Path jar = Path.of(cp).toAbsolutePath().normalize();
            Path root = jar.getParent() == null || jar.getParent().getParent() == null ? null : jar.getParent().getParent().getParent();
            if (root != null && Files.exists(root.resolve("bench/pom.xml"))) {
                return root;
            }
        }
        Path cwd = Path.of("").toAbsolutePath();
        return Files.exists(cwd.resolve("bench/pom.xml")) ? cwd : null;
    }

    static Results.Machine machine() {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim().replaceAll("\\s+", " ");
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: keep "unknown CPU"
        }
        String jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch");
        String date = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME).replaceAll("\\.\\d+", "");
        return new Results.Machine(cpu, Runtime.getRuntime().availableProcessors(), ramBytes(), jdk, os, date,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    static long ramBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return -1;
    }

    /** The CPUs this JVM may run on ({@code Cpus_allowed_list} of /proc/self/status), or "?" where the OS does not say. */
    static String cpusAllowed() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            return lines.filter(l -> l.startsWith("Cpus_allowed_list:")).map(l -> l.substring(18).trim()).findFirst().orElse("?");
        } catch (IOException | UncheckedIOException e) {
            return "?";
        }
    }

    /** CPU time so far of this JVM's live threads whose name starts with {@code prefix}. */
    static long threadCpuNanos(String prefix) {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith(prefix)) {
                sum += Math.max(0, mx.getThreadCpuTime(t.getThreadId()));
            }
        }
        return sum;
    }

    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    static long maxOpenFiles() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            return os.getMaxFileDescriptorCount();
        }
        return -1;
    }

    private static void say(String format, Object... args) {
        System.out.println("[bench] " + String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    private static String header() {
        return "# Benchmarks\n\n"
                + "How fast one Enjambre coordinator peer is, measured by the `bench` module against a baseline measured in the same "
                + "run on the same machine. Run it with the command below; it prints a table and rewrites the section between the "
                + "`bench:begin` and `bench:end` markers. Everything outside the markers is written by hand.\n\n";
    }

    private static String footer() {
        return "\n## Analysis\n\n(written by hand after a run)\n";
    }
}
