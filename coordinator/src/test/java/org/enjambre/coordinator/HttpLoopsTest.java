package org.enjambre.coordinator;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** HTTP served by several event loops on one port (--http-loops): connections spread, long-polls still wake and time out. */
class HttpLoopsTest extends SwarmTest {

    @Test
    void listen_portZeroWithThreeLoops_everyLoopServesTheSamePort() throws Exception {
        coordinator = Coordinator.start(Harness.options(dir).httpLoops(3));
        int port = coordinator.port();
        assertThat(port).isPositive();
        assertThat(coordinator.api().connectionsByLoop()).hasSize(3);

        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                sockets.add(s);
                assertThat(health(s)).startsWith("HTTP/1.1 200");
            }
            // Vert.x hands connections to the servers in turn: six connections, two on each loop.
            assertThat(coordinator.api().connectionsByLoop()).containsExactly(2, 2, 2);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Arrays.stream(coordinator.api().connectionsByLoop()).sum()).isZero());
    }

    @Test
    void fetch_longPollsOnTwoLoops_timeOutEmptyAndWakeForNewUnits() throws Exception {
        coordinator = Coordinator.start(Harness.options(dir).httpLoops(2));
        String url = coordinator.url();

        // Two polls that time out (one connection each, so one on each loop): both answer empty.
        List<CompletableFuture<HttpResponse<String>>> shortPolls = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            shortPolls.add(poll(url, Harness.register(url, "short-" + i, "primes").token(), 300));
        }
        for (CompletableFuture<HttpResponse<String>> p : shortPolls) {
            HttpResponse<String> r = p.get(60, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(new Harness.Response(r.statusCode(), r.body(), r.headers()).json().get("tasks")).isEmpty();
        }

        // Four long polls, on four new connections: two on each loop; a two-unit job wakes two of them with a unit
        // each, whichever loop they wait on.
        List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            polls.add(poll(url, Harness.register(url, "long-" + i, "primes").token(), 30_000));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> coordinator.metrics().scrape()
                .contains("enjambre_http_longpolls{scope=\"peer\"} 4.0"));
        assertThat(Arrays.stream(coordinator.api().connectionsByLoop()).min().orElse(0)).isGreaterThanOrEqualTo(2);
        String id = Harness.submit(url, Harness.primesSpec(2, 100_000, 2, 1, 1, null));

        await().atMost(Duration.ofSeconds(20)).until(() -> polls.stream().filter(CompletableFuture::isDone).count() == 2);
        List<String> jobs = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> p : polls) {
            if (p.isDone()) {
                jobs.addAll(SchedulingTest.jobsOf(new Harness.Response(p.get().statusCode(), p.get().body(), p.get().headers())));
            }
        }
        assertThat(jobs).containsExactly(id, id);
        await().atMost(Duration.ofSeconds(20)).until(() -> coordinator.metrics().scrape()
                .contains("enjambre_http_longpolls{scope=\"peer\"} 2.0"));
    }

    /** A long-polling fetch on a connection of its own (a client of its own). */
    private static CompletableFuture<HttpResponse<String>> poll(String url, String token, long waitMs) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/api/v1/work/fetch")).timeout(Duration.ofSeconds(90))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"max\":1,\"waitMs\":" + waitMs + "}")).build();
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().sendAsync(req, HttpResponse.BodyHandlers.ofString());
    }

    /** GET /health on an open socket; the status line and headers. */
    private static String health(Socket s) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        s.setSoTimeout(30_000);
        InputStream in = s.getInputStream();
        byte[] buf = new byte[512];
        int n = in.read(buf);
        return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
    }
}
