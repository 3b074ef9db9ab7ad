package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.enjambre.coordinator.store.Json;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.app.RunContext;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A minimal worker speaking the protocol over real HTTP, for coordinator tests: it registers, fetches,
 * runs the built-in apps and reports. It can misbehave: return wrong outputs, or never report.
 */
public final class TestWorker implements AutoCloseable {
    public enum Behaviour { HONEST, WRONG, SILENT }

    private static final AppRegistry APPS = AppRegistry.builtIns();
    /** Pause after a failed call (coordinator gone, 429, ...) so a dead peer is not hammered. */
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final String url;
    private final Behaviour behaviour;
    private final int taskBudget;
    public final String id;
    public final String token;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    /** Results the coordinator acknowledged (listed as accepted in a 200 answer). */
    public final AtomicInteger reported = new AtomicInteger();
    /** Tasks received from fetches. */
    public final AtomicInteger taken = new AtomicInteger();
    /** Ids of the tasks whose report the coordinator acknowledged. */
    public final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

    public TestWorker(String url, String name, Behaviour behaviour) {
        this(url, name, behaviour, Integer.MAX_VALUE);
    }

    /**
     * A worker that stops asking for work once it took {@code taskBudget} tasks (it still reports those),
     * so that a test can stop a job part-way without racing it.
     */
    public TestWorker(String url, String name, Behaviour behaviour, int taskBudget) {
        this(url, name, null, behaviour, taskBudget);
    }

    /** A worker of the volunteer account {@code account} (no two replicas of a unit go to one account). */
    public TestWorker(String url, String name, String account, Behaviour behaviour, int taskBudget) {
        this.url = url;
        this.behaviour = behaviour;
        this.taskBudget = taskBudget;
        Harness.Registered r = Harness.registerWithAccount(url, name, account, "primes", "collatz", "mandelbrot", "noop");
        this.id = r.id();
        this.token = r.token();
        this.thread = new Thread(this::loop, "test-worker-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running.get() && taken.get() < taskBudget) {
            try {
                int max = Math.min(4, taskBudget - taken.get());
                Harness.Response f = Harness.call("POST", url + "/api/v1/work/fetch", token,
                        "{\"max\":" + max + ",\"waitMs\":500}");
                if (f.status() != 200) {
                    LockSupport.parkNanos(RETRY_NANOS);
                    continue;
                }
                ArrayNode results = Json.MAPPER.createArrayNode();
                List<String> ids = new ArrayList<>();
                for (JsonNode t : f.json().get("tasks")) {
                    taken.incrementAndGet();
                    if (behaviour == Behaviour.SILENT) {
                        continue;
                    }
                    App app = APPS.get(t.get("app").asText());
                    byte[] out = app.run(Base64.getDecoder().decode(t.get("input").asText()), RunContext.inMemory());
                    if (behaviour == Behaviour.WRONG) {
                        out = wrong(out);
                    }
                    ObjectNode r = results.addObject();
                    r.put("id", t.get("id").asText());
                    r.put("output", Base64.getEncoder().encodeToString(out));
                    ids.add(t.get("id").asText());
                }
                if (!ids.isEmpty()) {
                    Harness.Response rep = Harness.call("POST", url + "/api/v1/work/report", token,
                            Json.write(Json.MAPPER.createObjectNode().set("results", results)));
                    if (rep.status() == 200) {
                        for (JsonNode a : rep.json().get("accepted")) {
                            acknowledged.add(a.asText());
                        }
                        reported.addAndGet(rep.json().get("accepted").size());
                    }
                }
            } catch (Exception e) {
                if (!running.get()) {
                    return;
                }
                LockSupport.parkNanos(RETRY_NANOS);
            }
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
