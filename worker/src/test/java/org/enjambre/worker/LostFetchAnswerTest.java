package org.enjambre.worker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A fetch whose answer never arrives (the coordinator may have issued tasks the worker never saw): the worker
 * syncs what it holds before it fetches again, so the coordinator reissues those tasks at once instead of at
 * their deadline. A lost answer is something a real coordinator cannot be made to produce on demand, so a
 * loopback stand-in speaks the worker protocol here and drops the connection of the first fetch.
 */
class LostFetchAnswerTest {
    @TempDir
    Path dir;

    private HttpServer server;
    private Worker worker;
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger fetches = new AtomicInteger();

    @AfterEach
    void tearDown() {
        if (worker != null) {
            worker.abort();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void fetchAnswerLost_workerSyncsBeforeItFetchesAgain() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        worker = new Worker(WorkerOptions.builder(url).cores(1).dataDir(dir).name("lost-answer")
                .fetchWait(Duration.ofMillis(100)).backoff(Duration.ofMillis(20), Duration.ofMillis(100)).build());
        worker.start();

        await().atMost(Duration.ofSeconds(20)).until(() -> fetches.get() >= 3);
        List<String> seen = List.copyOf(calls);
        int dropped = seen.indexOf("fetch(dropped)");
        assertThat(dropped).as("calls %s", seen).isPositive();
        assertThat(seen.get(0)).isEqualTo("register");
        assertThat(seen.get(1)).as("a worker syncs at start: %s", seen).isEqualTo("sync");
        List<String> after = seen.subList(dropped + 1, seen.size()).stream().filter(c -> !c.equals("report")).toList();
        assertThat(after).as("calls after the lost answer: %s", seen).startsWith("sync", "fetch");
    }

    private void answer(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        ex.getRequestBody().readAllBytes();
        switch (path) {
            case "/api/v1/workers/register" -> {
                calls.add("register");
                send(ex, 201, "{\"workerId\":\"w-lostanswer\",\"token\":\"w-lostanswer.secret\"}");
            }
            case "/api/v1/work/sync" -> {
                calls.add("sync");
                send(ex, 200, "{\"released\":0}");
            }
            case "/api/v1/work/fetch" -> {
                if (fetches.incrementAndGet() == 1) {
                    calls.add("fetch(dropped)");
                    ex.close(); // the request arrived; its answer never leaves
                } else {
                    calls.add("fetch");
                    send(ex, 200, "{\"tasks\":[]}");
                }
            }
            case "/api/v1/work/report" -> {
                calls.add("report");
                send(ex, 200, "{\"accepted\":[],\"rejected\":[]}");
            }
            default -> send(ex, 404, "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"no endpoint " + path + "\"}}");
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }
}
