package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.enjambre.coordinator.store.Json;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Test support: free ports, a coordinator on loopback, and plain HTTP calls against it. */
public final class Harness {
    public static final String KEY = "test-api-key-0123456789";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Harness() {
    }

    /**
     * A port on 127.0.0.1 where nothing listens now, for a server a test starts later (and may restart on it). Chosen
     * below the kernel's ephemeral range (32768 and up here): a port the kernel handed out, as {@code new ServerSocket(0)}
     * does, may be taken again by any outgoing connection (a cluster member's, an HTTP client's) before the server
     * binds it, which failed a cluster test with "Address already in use" (eleventh session). Never the same port twice
     * in one JVM.
     */
    public static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = 20_000 + random.nextInt(12_000);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException busy) {
                // taken: try another
            }
        }
        throw new IllegalStateException("no free port between 20000 and 32000 on 127.0.0.1");
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Options for a lone test peer on loopback with its own cluster name. */
    public static CoordinatorOptions options(Path dataDir) {
        return CoordinatorOptions.builder(dataDir).host("127.0.0.1").port(0).apiKey(KEY)
                .cluster("test-" + java.util.UUID.randomUUID().toString().substring(0, 8), null)
                .clusterPort(freePort()).allowSameHost(true).deadlineCheckMillis(50);
    }

    /** A response: status, body text, and the body as JSON when it is JSON. */
    public record Response(int status, String body, java.net.http.HttpHeaders headers) {
        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    public static Response call(String method, String url, String key, String body) {
        return call(method, url, key, body, Duration.ofSeconds(60));
    }

    /** A call that gives up after {@code timeout}; an I/O failure is an {@link IllegalStateException}. */
    public static Response call(String method, String url, String key, String body, Duration timeout) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout);
            if (key != null) {
                b.header("Authorization", "Bearer " + key);
            }
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + url + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends raw bytes as the body (for bodies too large to build as a string). */
    public static Response callBytes(String method, String url, String key, byte[] body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
                    .header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
            if (key != null) {
                b.header("Authorization", "Bearer " + key);
            }
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + url + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- the API as a test reads it

    /** A registered worker's credentials. */
    public record Registered(String id, String token) {
    }

    /** Registers a worker that runs {@code apps}, without starting any loop: the test fetches and reports itself. */
    public static Registered register(String url, String name, String... apps) {
        return registerWithAccount(url, name, null, apps);
    }

    /** As {@link #register}, for a worker of the volunteer account {@code account} (null for none). */
    public static Registered registerWithAccount(String url, String name, String account, String... apps) {
        StringBuilder list = new StringBuilder();
        for (String a : apps) {
            list.append(list.length() == 0 ? "" : ",").append('"').append(a).append('"');
        }
        Response r = call("POST", url + "/api/v1/workers/register", null,
                "{\"name\":\"" + name + "\",\"platform\":\"test\",\"cores\":2,\"memoryMb\":1024,\"apps\":[" + list + "]"
                        + (account == null ? "" : ",\"account\":\"" + account + "\"") + "}");
        if (r.status() != 201) {
            throw new AssertionError("register failed: " + r.status() + " " + r.body());
        }
        return new Registered(r.json().get("workerId").asText(), r.json().get("token").asText());
    }

    /** Submits a job with the admin key; fails the test unless it is accepted with 201. */
    public static String submit(String url, String spec) {
        Response r = call("POST", url + "/api/v1/jobs", KEY, spec);
        if (r.status() != 201) {
            throw new AssertionError("submit failed: " + r.status() + " " + r.body());
        }
        return r.json().get("id").asText();
    }

    /** A primes job over [from, to) in {@code units} units, with replicas and quorum as given and more fields. */
    public static String primesSpec(long from, long to, int units, int replicas, int quorum, String more) {
        return "{\"name\":\"primes test\",\"app\":\"primes\",\"input\":{\"from\":" + from + ",\"to\":" + to + "},"
                + "\"workUnits\":" + units + ",\"redundancy\":{\"replicas\":" + replicas + ",\"quorum\":" + quorum + "}"
                + (more == null || more.isEmpty() ? "" : "," + more) + "}";
    }

    /** GET of a JSON view that must answer 200. */
    public static JsonNode get(String url) {
        Response r = call("GET", url, null, null);
        if (r.status() != 200) {
            throw new AssertionError("GET " + url + ": " + r.status() + " " + r.body());
        }
        return r.json();
    }

    public static JsonNode job(String url, String id) {
        return get(url + "/api/v1/jobs/" + id);
    }

    /** The job's units (all of them, up to 1000), as the units view shows them. */
    public static JsonNode units(String url, String id) {
        return get(url + "/api/v1/jobs/" + id + "/units?limit=1000").get("units");
    }

    /** The workers view, as a map from worker id to worker. */
    public static Map<String, JsonNode> workers(String url) {
        Map<String, JsonNode> out = new TreeMap<>();
        for (JsonNode w : get(url + "/api/v1/workers").get("workers")) {
            out.put(w.get("id").asText(), w);
        }
        return out;
    }

    /** Waits until the job is in {@code state}; fails early, with the job, when it ends in another state. */
    public static JsonNode awaitJob(String url, String id, String state, Duration atMost) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonNode j = job(url, id);
            last[0] = j;
            String s = j.get("state").asText();
            if (!s.equals(state) && Set.of("COMPLETED", "FAILED", "CANCELLED").contains(s)) {
                throw new AssertionError("job " + id + " ended " + s + " instead of " + state + ": " + j);
            }
            return s.equals(state);
        });
        return last[0];
    }

    /** Waits until every one of the workers shows as blacklisted in the workers view. */
    public static void awaitBlacklisted(String url, String... workerIds) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, JsonNode> all = workers(url);
            for (String id : workerIds) {
                assertThat(all.get(id).get("blacklisted").asBoolean()).as("worker %s: %s", id, all.get(id)).isTrue();
            }
        });
    }

    /** A fetch without waiting; the answer as it is (status and body). */
    public static Response fetch(String url, String token, int max) {
        return call("POST", url + "/api/v1/work/fetch", token, "{\"max\":" + max + ",\"waitMs\":0}");
    }

    /** A report of outputs (task id to output bytes, base64-encoded here). */
    public static Response report(String url, String token, Map<String, byte[]> outputs) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode results = body.putArray("results");
        outputs.forEach((id, out) -> results.addObject().put("id", id).put("output", Base64.getEncoder().encodeToString(out)));
        return call("POST", url + "/api/v1/work/report", token, Json.write(body));
    }

    public static HttpResponse<byte[]> bytes(String url, String key) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
            if (key != null) {
                b.header("Authorization", "Bearer " + key);
            }
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
