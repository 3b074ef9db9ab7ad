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
 *   <li>{@code poll N WAITMS}: registers N more workers, then sends one fetch for each at once (async) and
 *       answers with the latencies;</li>
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
                    case "poll" -> sim.poll(Integer.parseInt(w[1]), Long.parseLong(w[2]));
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

    private void loop(WorkerClient.Identity id, int batch, long waitMs) {
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

    private static final int POLL_CLIENTS = 16;

    /** Registers {@code n} workers, then sends one long-polling fetch for each at the same moment. */
    private void poll(int n, long waitMs) throws Exception {
        HttpClient async = WorkerClient.newHttp();
        WorkerClient c = new WorkerClient(async, base);
        WorkerClient.Identity[] ids = new WorkerClient.Identity[n];
        Semaphore window = new Semaphore(128);
        long r0 = System.nanoTime();
        List<CompletableFuture<?>> regs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            window.acquire();
            int k = i;
            regs.add(c.postAsync("/api/v1/workers/register", null, WorkerClient.registration("poller-" + i))
                    .thenAccept(r -> ids[k] = WorkerClient.identity(r))
                    .whenComplete((v, e) -> window.release()));
        }
        CompletableFuture.allOf(regs.toArray(CompletableFuture[]::new)).join();
        double registerSeconds = (System.nanoTime() - r0) / 1e9;
        say("registered", "n", n);

        long[] nanos = new long[n];
        int[] status = new int[n];
        String body = WorkerClient.fetchBody(1, waitMs);
        // Real pollers are separate machines: spread them over several clients, each with its own connection
        // pool and selector thread, so that one client's connection set-up does not queue all 10,000 polls.
        WorkerClient[] fleet = new WorkerClient[POLL_CLIENTS];
        for (int i = 0; i < fleet.length; i++) {
            fleet[i] = new WorkerClient(WorkerClient.newHttp(), base);
        }
        List<CompletableFuture<?>> calls = new ArrayList<>(n);
        long f0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            int k = i;
            long start = System.nanoTime();
            calls.add(fleet[i % fleet.length].postAsync("/api/v1/work/fetch", ids[k].token(), body).handle((r, e) -> {
                nanos[k] = System.nanoTime() - start;
                status[k] = e != null ? -1 : r.status();
                if (e != null) {
                    firstError.compareAndSet(null, e.toString());
                } else if (r.status() != 200) {
                    firstError.compareAndSet(null, "fetch " + r.status() + " " + r.body());
                }
                return null;
            }));
        }
        double launchSeconds = (System.nanoTime() - f0) / 1e9;
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
        double allSeconds = (System.nanoTime() - f0) / 1e9;
        int ok = 0;
        for (int s : status) {
            if (s == 200) {
                ok++;
            }
        }
        Latencies l = Latencies.ofNanos(nanos);
        String fe = firstError.get();
        say("polled", "n", n, "ok", ok, "failed", n - ok, "p50", fmt(l.p50Ms()), "p99", fmt(l.p99Ms()), "max", fmt(l.maxMs()),
                "registerSeconds", fmt(registerSeconds), "launchSeconds", fmt(launchSeconds), "allSeconds", fmt(allSeconds),
                "firstError", fe == null ? "-" : fe.replaceAll("\\s+", "_"));
    }

    private static String fmt(double d) {
        return String.format(java.util.Locale.ROOT, "%.3f", d);
    }
}
