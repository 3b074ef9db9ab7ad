package org.enjambre.worker.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the coordinator's worker protocol ({@code docs/api.md}), on 127.0.0.1 with the JDK's
 * HTTP server: register, fetch (long-poll), report (idempotent, NOT_YOURS, CONFLICT), blobs, the
 * workers view with credit. It can be taken "down" (answers a status such as 503) and can forget
 * every token, like a wiped coordinator.
 */
public final class FakeCoordinator implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-coordinator");
        t.setDaemon(true);
        return t;
    });
    private final Deque<ObjectNode> queue = new ArrayDeque<>();
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final Map<String, String> sentTo = new ConcurrentHashMap<>();
    private final Map<String, byte[]> outputs = new ConcurrentHashMap<>();
    private final Map<String, String> errors = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger registrations = new AtomicInteger();
    private final AtomicInteger reports = new AtomicInteger();
    private volatile int downStatus;
    private volatile String retryAfter;
    private volatile double credit = 12.5;

    private FakeCoordinator(HttpServer server) {
        this.server = server;
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    public static FakeCoordinator start() throws IOException {
        return new FakeCoordinator(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
    }

    /** A URL on 127.0.0.1 where nothing listens (connection refused). */
    public static String deadUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public URI uri() {
        return URI.create(url());
    }

    /** Queues a task for the next fetch. */
    public void addTask(String id, String app, byte[] input, long deadlineMillis, String blob) {
        ObjectNode task = JSON.createObjectNode()
                .put("id", id).put("app", app).put("input", Base64.getEncoder().encodeToString(input))
                .put("deadline", java.time.Instant.ofEpochMilli(deadlineMillis).toString())
                .put("deadlineMillis", deadlineMillis).put("cost", 0.5);
        task.put("blob", blob);
        synchronized (queue) {
            queue.add(task);
            queue.notifyAll();
        }
    }

    public void addBlob(String sha, byte[] bytes) {
        blobs.put(sha, bytes);
    }

    /** Every call answers {@code status} (e.g. 503) until {@link #up()}; with {@code retryAfter} as header when set. */
    public void down(int status, String retryAfterHeader) {
        this.retryAfter = retryAfterHeader;
        this.downStatus = status;
    }

    public void up() {
        downStatus = 0;
    }

    /** Forgets every token, like a coordinator started over on empty storage. */
    public void forgetTokens() {
        tokens.clear();
    }

    public Map<String, byte[]> outputs() {
        return outputs;
    }

    public Map<String, String> errors() {
        return errors;
    }

    /** {@code METHOD path} of every call, in arrival order. */
    public List<String> requests() {
        return requests;
    }

    public int registrations() {
        return registrations.get();
    }

    public int reports() {
        return reports.get();
    }

    public int queued() {
        synchronized (queue) {
            return queue.size();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            requests.add(method + " " + path);
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (downStatus != 0) {
                if (retryAfter != null) {
                    exchange.getResponseHeaders().add("Retry-After", retryAfter);
                }
                send(exchange, downStatus, error("UNAVAILABLE", "down for the test"));
                return;
            }
            if (method.equals("POST") && path.equals("/api/v1/workers/register")) {
                JsonNode request = JSON.readTree(body);
                if (!request.path("name").isTextual() || !request.path("apps").isArray()) {
                    send(exchange, 400, error("INVALID_REGISTRATION", "name and apps are required"));
                    return;
                }
                int n = registrations.incrementAndGet();
                String workerId = "w-" + n;
                String token = "token-" + n + "-" + System.nanoTime();
                tokens.put(token, workerId);
                send(exchange, 201, JSON.createObjectNode().put("workerId", workerId).put("token", token));
                return;
            }
            if (method.equals("GET") && path.equals("/api/v1/workers")) {
                ObjectNode answer = JSON.createObjectNode();
                ArrayNode workers = answer.putArray("workers");
                tokens.values().stream().distinct().forEach(w -> workers.addObject().put("id", w).put("credit", credit));
                send(exchange, 200, answer);
                return;
            }
            String worker = worker(exchange);
            if (worker == null) {
                send(exchange, 401, error("UNAUTHENTICATED", "unknown worker token"));
                return;
            }
            if (method.equals("POST") && path.equals("/api/v1/work/fetch")) {
                fetch(exchange, worker, JSON.readTree(body));
            } else if (method.equals("POST") && path.equals("/api/v1/work/report")) {
                report(exchange, worker, JSON.readTree(body));
            } else if (method.equals("GET") && path.startsWith("/api/v1/blobs/")) {
                byte[] blob = blobs.get(path.substring("/api/v1/blobs/".length()));
                if (blob == null) {
                    send(exchange, 404, error("NOT_FOUND", "no such blob"));
                } else {
                    exchange.sendResponseHeaders(200, blob.length);
                    exchange.getResponseBody().write(blob);
                }
            } else {
                send(exchange, 404, error("NOT_FOUND", "no route " + method + " " + path));
            }
        }
    }

    private void fetch(HttpExchange exchange, String worker, JsonNode request) throws IOException {
        int max = request.path("max").asInt(1);
        long waitMs = Math.min(request.path("waitMs").asLong(0), 30_000);
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode tasks = answer.putArray("tasks");
        synchronized (queue) {
            long end = System.currentTimeMillis() + waitMs;
            while (queue.isEmpty() && System.currentTimeMillis() < end) {
                try {
                    queue.wait(Math.max(1, end - System.currentTimeMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            while (!queue.isEmpty() && tasks.size() < max) {
                ObjectNode task = queue.poll();
                sentTo.put(task.get("id").asText(), worker);
                tasks.add(task);
            }
        }
        send(exchange, 200, answer);
    }

    private void report(HttpExchange exchange, String worker, JsonNode request) throws IOException {
        reports.incrementAndGet();
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode accepted = answer.putArray("accepted");
        ArrayNode rejected = answer.putArray("rejected");
        for (JsonNode result : request.path("results")) {
            String id = result.path("id").asText();
            if (!worker.equals(sentTo.get(id))) {
                rejected.addObject().put("id", id).put("code", "NOT_YOURS").put("message", "task " + id + " was not sent to " + worker);
                continue;
            }
            if (result.has("output")) {
                byte[] output = Base64.getDecoder().decode(result.get("output").asText());
                byte[] earlier = outputs.putIfAbsent(id, output);
                if (earlier != null && !Arrays.equals(earlier, output)) {
                    rejected.addObject().put("id", id).put("code", "CONFLICT").put("message", "a different output was reported before");
                    continue;
                }
            } else {
                errors.put(id, result.path("error").asText());
            }
            accepted.add(id);
        }
        send(exchange, 200, answer);
    }

    private String worker(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.startsWith("Bearer ")) {
            return null;
        }
        return tokens.get(header.substring("Bearer ".length()));
    }

    private static ObjectNode error(String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("code", code).put("message", message);
        return body;
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
