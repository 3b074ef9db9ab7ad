package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.enjambre.coordinator.store.Json;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.wasm.WasmApp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A minimal worker speaking the protocol over real HTTP, for coordinator tests: it registers, fetches,
 * runs the built-in apps and reports. It can misbehave: return wrong outputs, or never report.
 *
 * <p>Given several coordinator URLs it talks to the first and fails over to the next when one stops
 * answering (connection refused, reset or timed out), as the real worker does; a report that could not
 * be delivered is retried at the next URL.
 */
public final class TestWorker implements AutoCloseable {
    public enum Behaviour { HONEST, WRONG, SILENT }

    private static final AppRegistry APPS = AppRegistry.builtIns();
    private static final String BUILT_IN_APPS = "\"primes\",\"collatz\",\"mandelbrot\",\"noop\"";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final long RETRY_NANOS = Duration.ofMillis(50).toNanos();
    /** How long a report is retried over the URLs before it is given up (its tasks are then reissued at their deadline). */
    private static final long REPORT_RETRY_NANOS = Duration.ofSeconds(60).toNanos();

    private final List<String> urls;
    private final AppRegistry apps;
    private final Behaviour behaviour;
    private final int max;
    private final int taskBudget;
    public final String id;
    public final String token;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private final AtomicInteger current = new AtomicInteger();
    private final AtomicLong paceMillis = new AtomicLong();
    public final AtomicInteger reported = new AtomicInteger();
    public final AtomicInteger taken = new AtomicInteger();
    /** How many times this worker moved on to the next URL. */
    public final AtomicInteger failovers = new AtomicInteger();
    /** Ids of the tasks whose report the coordinator acknowledged. */
    public final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

    public TestWorker(String url, String name, Behaviour behaviour) {
        this(List.of(url), name, null, behaviour, 4, Integer.MAX_VALUE, false, "test");
    }

    /**
     * An honest worker that also runs the {@code wasm} app, on the JVM with Chicory as the real worker does,
     * fetching modules from the coordinator's blob route.
     */
    public static TestWorker withWasm(String url, String name) {
        return new TestWorker(List.of(url), name, null, Behaviour.HONEST, 4, Integer.MAX_VALUE, true, "test");
    }

    /**
     * A worker that stops asking for work once it took {@code taskBudget} tasks (it still reports those),
     * so that a test can stop a job part-way without racing it.
     */
    public TestWorker(String url, String name, Behaviour behaviour, int taskBudget) {
        this(List.of(url), name, null, behaviour, 4, taskBudget, false, "test");
    }

    /** A worker of the volunteer account {@code account} (no two replicas of a unit go to one account). */
    public TestWorker(String url, String name, String account, Behaviour behaviour, int taskBudget) {
        this(List.of(url), name, account, behaviour, 4, taskBudget, false, "test");
    }

    /**
     * A worker that knows several coordinators, fetching up to {@code max} tasks at a time.
     *
     * @param urls coordinator URLs, the preferred one first
     */
    public TestWorker(List<String> urls, String name, Behaviour behaviour, int max) {
        this(urls, name, null, behaviour, max, Integer.MAX_VALUE, false, "test");
    }

    /**
     * An honest worker registered with platform {@code browser}, as the volunteer page registers: the coordinator
     * sizes its units for a browser's visit. It runs the units on the JVM (no browser needed).
     */
    public static TestWorker browser(String url, String name) {
        return new TestWorker(List.of(url), name, null, Behaviour.HONEST, 4, Integer.MAX_VALUE, false, "browser");
    }

    private TestWorker(List<String> urls, String name, String account, Behaviour behaviour, int max, int taskBudget,
                       boolean wasm, String platform) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("a worker needs at least one coordinator URL");
        }
        this.urls = List.copyOf(urls);
        this.apps = wasm ? APPS.with(new WasmApp(this::blob)) : APPS;
        this.behaviour = behaviour;
        this.max = max;
        this.taskBudget = taskBudget;
        Harness.Response r;
        try {
            r = call("POST", "/api/v1/workers/register", null,
                    "{\"name\":\"" + name + "\",\"platform\":\"" + platform + "\",\"cores\":2,\"memoryMb\":1024,"
                            + "\"apps\":[" + BUILT_IN_APPS + (wasm ? ",\"wasm\"" : "") + "]"
                            + (account == null ? "" : ",\"account\":\"" + account + "\"") + "}",
                    System.nanoTime() + REPORT_RETRY_NANOS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while registering", e);
        }
        if (r == null || r.status() != 201) {
            throw new IllegalStateException("register failed at " + this.urls + ": "
                    + (r == null ? "no coordinator answered" : r.status() + " " + r.body()));
        }
        this.id = r.json().get("workerId").asText();
        this.token = r.json().get("token").asText();
        this.thread = new Thread(this::loop, "test-worker-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Makes every task take at least this long, as on a slower machine; zero runs at full speed. */
    public TestWorker pace(Duration perTask) {
        paceMillis.set(perTask.toMillis());
        return this;
    }

    /** The coordinator URL this worker talks to now. */
    public String url() {
        return urls.get(current.get());
    }

    private void loop() {
        while (running.get() && taken.get() < taskBudget) {
            try {
                int want = (int) Math.min(max, (long) taskBudget - taken.get());
                Harness.Response f = call("POST", "/api/v1/work/fetch", token, "{\"max\":" + want + ",\"waitMs\":500}", 0);
                if (f != null && f.status() == 429) {
                    Thread.sleep(Math.min(1000, 1000 * Long.parseLong(f.headers().firstValue("Retry-After").orElse("1"))));
                }
                if (f == null || f.status() != 200) {
                    continue;
                }
                ArrayNode results = Json.MAPPER.createArrayNode();
                List<String> ids = new ArrayList<>();
                for (JsonNode t : f.json().get("tasks")) {
                    taken.incrementAndGet();
                    if (behaviour == Behaviour.SILENT) {
                        continue;
                    }
                    long started = System.nanoTime();
                    App app = apps.get(t.get("app").asText());
                    byte[] out = app.run(Base64.getDecoder().decode(t.get("input").asText()), RunContext.inMemory());
                    if (behaviour == Behaviour.WRONG) {
                        out = wrong(out);
                    }
                    long rest = paceMillis.get() - (System.nanoTime() - started) / 1_000_000;
                    if (rest > 0) {
                        Thread.sleep(rest); // simulated computing time, not a wait for a condition
                    }
                    ObjectNode r = results.addObject();
                    r.put("id", t.get("id").asText());
                    r.put("output", Base64.getEncoder().encodeToString(out));
                    ids.add(t.get("id").asText());
                }
                if (!ids.isEmpty()) {
                    Harness.Response rep = call("POST", "/api/v1/work/report", token,
                            Json.write(Json.MAPPER.createObjectNode().set("results", results)), System.nanoTime() + REPORT_RETRY_NANOS);
                    if (rep != null && rep.status() == 200) {
                        for (JsonNode a : rep.json().get("accepted")) {
                            acknowledged.add(a.asText());
                        }
                        reported.addAndGet(rep.json().get("accepted").size());
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (!running.get()) {
                    return;
                }
                LockSupport.parkNanos(RETRY_NANOS); // back off after an unexpected failure, as a worker would
            }
        }
    }

    /**
     * Calls the current coordinator, moving on to the next URL when one does not answer. Without a retry
     * deadline ({@code 0}) it tries each URL once and returns {@code null} when none answered; with one it
     * keeps going round the URLs until then (pausing briefly after each full round).
     */
    private Harness.Response call(String method, String path, String key, String body, long retryUntilNanos)
            throws InterruptedException {
        int failed = 0;
        while (running.get()) {
            int at = current.get();
            try {
                Harness.Response r = Harness.call(method, urls.get(at) + path, key, body, REQUEST_TIMEOUT);
                if (r.status() < 500 || r.status() == 501) {
                    return r;
                }
                // a 5xx from a peer in trouble (say, one that lost a partition mid-request): try the next
            } catch (IllegalStateException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException();
                }
                // connection refused, reset or timed out: this coordinator stopped answering
            }
            if (urls.size() > 1 && current.compareAndSet(at, (at + 1) % urls.size())) {
                failovers.incrementAndGet();
            }
            failed++;
            if (failed % urls.size() == 0) {
                Thread.sleep(100); // no coordinator answered: back off before the next round
                if (retryUntilNanos == 0 || System.nanoTime() > retryUntilNanos) {
                    return null;
                }
            }
        }
        return null;
    }

    /** A module's bytes from the coordinator's blob route, as a real worker downloads them. */
    private java.util.Optional<byte[]> blob(String sha256) {
        try {
            java.net.http.HttpResponse<byte[]> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(url() + "/api/v1/blobs/" + sha256))
                            .timeout(REQUEST_TIMEOUT).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            return r.statusCode() == 200 ? java.util.Optional.of(r.body()) : java.util.Optional.empty();
        } catch (java.io.IOException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
    }

    /** Whether the worker's loop ended (closed, or its task budget is spent and reported). */
    public boolean idle() {
        return !thread.isAlive();
    }

    /** The right output of a task as a fetch hands it out (for tests that fetch and report themselves). */
    public static byte[] output(JsonNode task) {
        try {
            return APPS.get(task.get("app").asText()).run(Base64.getDecoder().decode(task.get("input").asText()), RunContext.inMemory());
        } catch (Exception e) {
            throw new AssertionError("running " + task + " failed", e);
        }
    }

    /** A plausible wrong answer: the first digit run of a JSON output bumped by one. */
    static byte[] wrong(byte[] out) {
        String s = new String(out, java.nio.charset.StandardCharsets.UTF_8);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\d+").matcher(s);
        if (m.find()) {
            long v = Long.parseLong(m.group());
            return (s.substring(0, m.start()) + (v + 1) + s.substring(m.end())).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        byte[] copy = out.clone();
        if (copy.length > 0) {
            copy[copy.length - 1] ^= 1;
        }
        return copy;
    }

    /** Stops the loop and waits (briefly) for it to end, so no call of this worker is in flight afterwards. */
    @Override
    public void close() {
        running.set(false);
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
