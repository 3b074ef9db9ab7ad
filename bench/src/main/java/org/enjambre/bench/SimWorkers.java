package org.enjambre.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.app.RunContext;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Simulated workers in their own JVM, driven by commands on standard input (answers on standard output):
 * <ul>
 *   <li>{@code run W B WAITMS}: W worker threads, each fetching up to B tasks (long-polling WAITMS), running
 *       them with the real app and reporting the batch, until {@code stop};</li>
 *   <li>{@code pollprep N WAITMS WARM}: registers N more workers, opens a connection for each ({@link PollBurst})
 *       and warms the coordinator with WARM polls;</li>
 *   <li>{@code pollgo}: one fetch on each of those connections at once; answers with the latencies;</li>
 *   <li>{@code quit}.</li>
 * </ul>
 */
public final class SimWorkers {
    private static final AppRegistry APPS = AppRegistry.builtIns();

    private final String base;
    private final HttpClient http = WorkerClient.newHttp();
    private final WorkerClient client;
    private final List<WorkerClient.Identity> crew = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong fetches = new AtomicLong();
    private final AtomicLong emptyFetches = new AtomicLong();
    private final AtomicLong tasks = new AtomicLong();
    private final AtomicLong reports = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();

    private SimWorkers(String base) {
        this.base = base;
        this.client = new WorkerClient(http, base);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: SimWorkers COORDINATOR_URL");
            System.exit(2);
        }
        SimWorkers sim = new SimWorkers(args[0]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split("\\s+");
            try {
                switch (w[0]) {
                    case "run" -> sim.run(Integer.parseInt(w[1]), Integer.parseInt(w[2]), Long.parseLong(w[3]));
                    case "stop" -> sim.stop();
                    case "pollprep" -> sim.pollPrepare(Integer.parseInt(w[1]), Long.parseLong(w[2]), Integer.parseInt(w[3]));
                    case "pollgo" -> sim.pollGo();
                    case "quit" -> {
                        sim.stopThreads();
                        System.exit(0);
                    }
                    default -> say("error", "unknown_command", w[0]);
                }
            } catch (Exception e) {
                e.printStackTrace();
                System.out.println("@error " + e.toString().replaceAll("\\s+", "_"));
                System.out.flush();
            }
        }
        sim.stopThreads();
        System.exit(0);
    }

    private static void say(String word, Object... kv) {
        System.out.println(Answer.format(word, kv));
        System.out.flush();
    }

    private void run(int workers, int batch, long waitMs) {
        if (running.get()) {
            throw new IllegalStateException("already running; stop first");
        }
        while (crew.size() < workers) {
            crew.add(client.register("sim-" + crew.size()));
        }
        for (AtomicLong c : List.of(fetches, emptyFetches, tasks, reports, accepted, rejected, errors)) {
            c.set(0);
        }
        firstError.set(null);
        running.set(true);
        threads.clear();
        for (int i = 0; i < workers; i++) {
            WorkerClient.Identity id = crew.get(i);
            Thread t = new Thread(() -> loop(id, batch, waitMs), "sim-worker-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        say("running", "workers", workers, "batch", batch);
    }

    /**
     * How the simulated workers speak HTTP: {@code socket} (default since the eleventh session), a blocking keep-alive
     * connection per worker thread ({@link Http1Connection}); {@code jdk}, {@code java.net.http} as before (three
     * thread wake-ups per request in this JVM). {@code -Dbench.simHttp}, passed on by the bench.
     */
    static final String HTTP = System.getProperty("bench.simHttp", "socket");

    /** One worker thread's way to POST: its own connection, or the shared {@code java.net.http} client. */
    @FunctionalInterface
    private interface Poster {
        WorkerClient.Reply post(String path, String token, String body);
    }

    private void loop(WorkerClient.Identity id, int batch, long waitMs) {
        switch (HTTP) {
            case "jdk" -> loop(client::post, id, batch, waitMs);
            case "socket" -> {
                try (Http1Connection c = new Http1Connection(base)) {
                    loop((path, token, body) -> c.post(path, token, body.getBytes(StandardCharsets.UTF_8)), id, batch, waitMs);
                }
            }
            default -> throw new IllegalArgumentException("bench.simHttp must be socket or jdk, got " + HTTP);
        }
    }

    private void loop(Poster client, WorkerClient.Identity id, int batch, long waitMs) {
        String fetchBody = WorkerClient.fetchBody(batch, waitMs);
        Base64.Decoder dec = Base64.getDecoder();
        Base64.Encoder enc = Base64.getEncoder();
        while (running.get()) {
            try {
                WorkerClient.Reply f = client.post("/api/v1/work/fetch", id.token(), fetchBody);
                fetches.incrementAndGet();
                if (f.status() != 200) {
                    error("fetch " + f.status() + " " + f.body());
                    continue;
                }
                JsonNode list = f.json().get("tasks");
                if (list.isEmpty()) {
                    emptyFetches.incrementAndGet();
                    continue;
                }
                tasks.addAndGet(list.size());
                String body = WorkerClient.reportBody(list, t -> enc.encodeToString(runTask(t, dec)));
                WorkerClient.Reply r = client.post("/api/v1/work/report", id.token(), body);
                reports.incrementAndGet();
                if (r.status() != 200) {
                    error("report " + r.status() + " " + r.body());
                    continue;
                }
                JsonNode n = r.json();
                accepted.addAndGet(n.get("accepted").size());
                rejected.addAndGet(n.get("rejected").size());
                if (!n.get("rejected").isEmpty()) {
                    firstError.compareAndSet(null, "rejected " + n.get("rejected").get(0));
                }
            } catch (RuntimeException e) {
                if (running.get()) {
                    error(e.toString());
                }
            }
        }
    }

    /** Runs one task with the real app, as a worker would. */
    private static byte[] runTask(JsonNode task, Base64.Decoder dec) {
        try {
            return APPS.get(task.get("app").asText()).run(dec.decode(task.get("input").asText()), RunContext.inMemory());
        } catch (Exception e) {
            throw new IllegalStateException("task " + task.get("id") + " failed: " + e, e);
        }
    }

    private void error(String what) {
        errors.incrementAndGet();
        firstError.compareAndSet(null, what);
    }

    private void stopThreads() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(120_000);
        }
        threads.clear();
    }

    private void stop() throws InterruptedException {
        stopThreads();
        String fe = firstError.get();
        say("stopped", "fetches", fetches.get(), "emptyFetches", emptyFetches.get(), "tasks", tasks.get(),
                "reports", reports.get(), "accepted", accepted.get(), "rejected", rejected.get(), "errors", errors.get(),
                "firstError", fe == null ? "-" : fe.replaceAll("\\s+", "_"));
    }

    /** The pollers {@code pollprep} registered and connected, for {@code pollgo}. */
    private PollBurst burst;
    private String[] pollTokens;
    private long pollWaitMs;
    private double registerSeconds;

    /**
     * Registers {@code n} workers, opens one connection for each, sends one immediate fetch on each, and warms the
     * coordinator with a round of {@code warm} polls on them (a running coordinator is warm: JIT during the measured burst is not what users see).
     */
    private void pollPrepare(int n, long waitMs, int warm) throws Exception {
        closeBurst();
        WorkerClient c = new WorkerClient(WorkerClient.newHttp(), base);
        String[] tokens = new String[n];
        Semaphore window = new Semaphore(128);
        long r0 = System.nanoTime();
        List<CompletableFuture<?>> regs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            window.acquire();
            int k = i;
            regs.add(c.postAsync("/api/v1/workers/register", null, WorkerClient.registration("poller-" + i))
                    .thenAccept(r -> tokens[k] = WorkerClient.identity(r).token())
                    .whenComplete((v, e) -> window.release()));
        }
        CompletableFuture.allOf(regs.toArray(CompletableFuture[]::new)).join();
        registerSeconds = (System.nanoTime() - r0) / 1e9;
        long c0 = System.nanoTime();
        burst = PollBurst.open(base, n);
        double connectSeconds = (System.nanoTime() - c0) / 1e9;
        pollTokens = tokens;
        pollWaitMs = waitMs;
        // Each connection's first request (a worker's first fetch, answered at once): Vert.x sets up a connection's
        // HTTP state (~6 KB) on its first request, which is a reconnect storm's cost, not a long-poll's.
        PollBurst.Round first = burst.round(tokens, n, WorkerClient.fetchBody(1, 0));
        PollBurst.Round w = burst.round(tokens, Math.min(warm, n), WorkerClient.fetchBody(1, waitMs));
        say("warmed", "n", n, "firstOk", first.ok(), "warm", Math.min(warm, n), "warmOk", w.ok(), "registerSeconds", fmt(registerSeconds),
                "connectSeconds", fmt(connectSeconds), "cpus", Runtime.getRuntime().availableProcessors());
    }

    /** Sends one long-polling fetch on each prepared connection at the same moment and answers with the latencies. */
    private void pollGo() throws Exception {
        if (burst == null) {
            throw new IllegalStateException("pollgo before pollprep");
        }
        int n = pollTokens.length;
        PollBurst.Round r = burst.round(pollTokens, n, WorkerClient.fetchBody(1, pollWaitMs));
        Latencies l = Latencies.ofNanos(r.nanos());
        String fe = r.firstError();
        say("polled", "n", n, "ok", r.ok(), "failed", n - r.ok(), "p50", fmt(l.p50Ms()), "p99", fmt(l.p99Ms()), "max", fmt(l.maxMs()),
                "registerSeconds", fmt(registerSeconds), "launchSeconds", fmt(r.launchSeconds()), "allSeconds", fmt(r.allSeconds()),
                "firstError", fe == null ? "-" : fe.replaceAll("\\s+", "_"));
        closeBurst();
    }

    private void closeBurst() throws Exception {
        if (burst != null) {
            burst.close();
            burst = null;
        }
    }

    private static String fmt(double d) {
        return String.format(java.util.Locale.ROOT, "%.3f", d);
    }
}
