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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal worker speaking the protocol over real HTTP, for coordinator tests: it registers, fetches,
 * runs the built-in apps and reports. It can misbehave: return wrong outputs, or never report.
 */
public final class TestWorker implements AutoCloseable {
    public enum Behaviour { HONEST, WRONG, SILENT }

    private static final AppRegistry APPS = AppRegistry.builtIns();

    private final String url;
    private final Behaviour behaviour;
    public final String id;
    public final String token;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    public final AtomicInteger reported = new AtomicInteger();
    public final AtomicInteger taken = new AtomicInteger();

    public TestWorker(String url, String name, Behaviour behaviour) {
        this.url = url;
        this.behaviour = behaviour;
        Harness.Response r = Harness.call("POST", url + "/api/v1/workers/register", null,
                "{\"name\":\"" + name + "\",\"platform\":\"test\",\"cores\":2,\"memoryMb\":1024,"
                        + "\"apps\":[\"primes\",\"collatz\",\"mandelbrot\",\"noop\"]}");
        if (r.status() != 201) {
            throw new IllegalStateException("register failed: " + r.status() + " " + r.body());
        }
        this.id = r.json().get("workerId").asText();
        this.token = r.json().get("token").asText();
        this.thread = new Thread(this::loop, "test-worker-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running.get()) {
            try {
                Harness.Response f = Harness.call("POST", url + "/api/v1/work/fetch", token, "{\"max\":4,\"waitMs\":500}");
                if (f.status() != 200) {
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
                        reported.addAndGet(rep.json().get("accepted").size());
                    }
                }
            } catch (Exception e) {
                if (!running.get()) {
                    return;
                }
            }
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

    @Override
    public void close() {
        running.set(false);
        thread.interrupt();
    }
}
