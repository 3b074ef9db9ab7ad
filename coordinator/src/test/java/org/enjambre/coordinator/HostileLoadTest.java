package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.store.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Floods and heavy bodies (issue 13): credentials and rate limits are checked on the headers before a
 * body is read, no request body is buffered for a request that is refused, all bodies together stay within
 * the peer's budget, and long-polls leave no waiter behind.
 */
class HostileLoadTest extends SwarmTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code n} zero bytes, made as they are read (the test never holds the body it sends). */
    static final class Zeros extends InputStream {
        private long left;

        Zeros(long n) {
            this.left = n;
        }

        @Override
        public int read() {
            return left-- > 0 ? 0 : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }

    private static HttpRequest post(String url, String key, InputStream body, long declaredLength) {
        HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(() -> body);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json")
                .POST(declaredLength < 0 ? stream : HttpRequest.BodyPublishers.fromPublisher(stream, declaredLength));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return b.build();
    }

    @Test
    void unauthenticatedLargeBodies_inParallel_refusedUnbuffered_andThePeerKeepsServing() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        long body = 64L << 20;
        // Routes that need credentials, sent without (or with wrong) ones: half declare their 64 MiB, half stream it chunked.
        List<String[]> routes = List.of(
                new String[]{"/api/v1/jobs", null, "401"},
                new String[]{"/api/v1/modules", "not-the-key-at-all", "403"},
                new String[]{"/api/v1/work/report", "w-aaaaaaaaaa.forged", "401"},
                new String[]{"/api/v1/work/fetch", null, "401"},
                new String[]{"/api/v1/work/report", "not-even-a-worker-token", "401"});
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String[] r = routes.get(i % routes.size());
            sent.add(HTTP.sendAsync(post(url + r[0], r[1], new Zeros(body), i % 2 == 0 ? body : -1),
                    HttpResponse.BodyHandlers.ofString()));
            expected.add(Integer.parseInt(r[2]));
        }
        assertThat(Harness.get(url + "/health").get("status").asText()).isEqualTo("UP");
        List<Integer> statuses = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : sent) {
            HttpResponse<String> r = f.join();
            statuses.add(r.statusCode());
            JsonNode err = read(r.body()).get("error");
            assertThat(err.get("code").asText()).as(r.body()).isIn("UNAUTHENTICATED", "FORBIDDEN");
        }
        assertThat(statuses).isEqualTo(expected);
        assertThat(coordinator.api().bufferedBodyBytes()[1]).as("most body bytes ever buffered at once").isZero();
        // The peer still serves: health, and a real submission.
        assertThat(Harness.get(url + "/health").get("status").asText()).isEqualTo("UP");
        Harness.submit(url, "{\"app\":\"noop\",\"input\":{},\"workUnits\":2}");
    }

    @Test
    void bodies_pastTheBufferedBudget_503WithRetryAfter_andServedOnceBudgetIsFree() throws Exception {
        coordinator = Coordinator.start(Harness.options(dir).maxBufferedBytes(1 << 20));
        String url = coordinator.url();
        byte[] held = job(700 << 10);
        CountDownLatch rest = new CountDownLatch(1);
        // A client that sent its headers and part of its body: its 700 KiB are reserved until it finishes.
        InputStream slow = new InputStream() {
            private int at;

            @Override
            public int read() throws IOException {
                if (at == 100 << 10) {
                    try {
                        rest.await();
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
                return at < held.length ? held[at++] & 0xff : -1;
            }
        };
        CompletableFuture<HttpResponse<String>> first = HTTP.sendAsync(post(url + "/api/v1/jobs", Harness.KEY, slow, held.length),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(30)).until(() -> coordinator.api().bufferedBodyBytes()[0] >= held.length);

        Harness.Response busy = Harness.callBytes("POST", url + "/api/v1/jobs", Harness.KEY, job(500 << 10));
        assertThat(busy.status()).as(busy.body()).isEqualTo(503);
        assertThat(busy.json().get("error").get("code").asText()).isEqualTo("SERVER_BUSY");
        assertThat(busy.json().get("error").get("message").asText()).contains("--max-buffered-mb");
        assertThat(busy.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 60L));

        rest.countDown();
        assertThat(first.get().statusCode()).as(first.get().body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).until(() -> coordinator.api().bufferedBodyBytes()[0] == 0);
        Harness.Response again = Harness.callBytes("POST", url + "/api/v1/jobs", Harness.KEY, job(500 << 10));
        assertThat(again.status()).as(again.body()).isEqualTo(201);
        assertThat(coordinator.api().bufferedBodyBytes()[1]).isLessThanOrEqualTo(1 << 20);
    }

    /** A noop job spec of exactly {@code size} bytes (padded in its input). */
    private static byte[] job(int size) {
        String head = "{\"app\":\"noop\",\"workUnits\":1,\"input\":{\"pad\":\"";
        String tail = "\"}}";
        return (head + "x".repeat(size - head.length() - tail.length()) + tail).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void registration_pastItsRateLimit_429WithRetryAfter_beforeTheBodyIsRead() {
        coordinator = Coordinator.start(Harness.options(dir).registrationLimit(1, 2));
        String url = coordinator.url();
        Harness.register(url, "one", "primes");
        Harness.register(url, "two", "primes");
        Harness.Response third = Harness.call("POST", url + "/api/v1/workers/register", null,
                "{\"name\":\"three\",\"apps\":[\"primes\"]}");
        assertThat(third.status()).as(third.body()).isEqualTo(429);
        assertThat(third.json().get("error").get("code").asText()).isEqualTo("TOO_MANY_REGISTRATIONS");
        assertThat(third.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 60L));
        // Over the limit, even a body far too big for registration is refused by the rate limit, unread.
        byte[] big = new byte[1 << 20];
        Harness.Response oversize = Harness.callBytes("POST", url + "/api/v1/workers/register", null, big);
        assertThat(oversize.status()).as(oversize.body()).isEqualTo(429);
        assertThat(Harness.workers(url)).hasSize(2);
    }

    @Test
    void longPolls_answeredByTheirTimer_leaveNoWaiterBehind() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        List<CompletableFuture<Harness.Response>> polls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Harness.Registered w = Harness.register(url, "poller-" + i, "collatz");
            polls.add(CompletableFuture.supplyAsync(() -> Harness.call("POST", url + "/api/v1/work/fetch", w.token(),
                    "{\"max\":1,\"waitMs\":300}")));
        }
        for (CompletableFuture<Harness.Response> p : polls) {
            Harness.Response r = p.join();
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().get("tasks")).isEmpty();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> longPolls(url) == 0);
    }

    @Test
    void longPolls_oneReadyUnit_goesToOneWaiter_theOthersKeepWaiting() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        List<CompletableFuture<Harness.Response>> polls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Harness.Registered w = Harness.register(url, "waiter-" + i, "noop");
            polls.add(CompletableFuture.supplyAsync(() -> Harness.call("POST", url + "/api/v1/work/fetch", w.token(),
                    "{\"max\":1,\"waitMs\":30000}")));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> longPolls(url) == 5);
        Harness.submit(url, "{\"app\":\"noop\",\"input\":{},\"workUnits\":1,\"redundancy\":{\"replicas\":1,\"quorum\":1}}");
        CompletableFuture<Object> any = CompletableFuture.anyOf(polls.toArray(new CompletableFuture[0]));
        Harness.Response got = (Harness.Response) any.join();
        assertThat(got.json().get("tasks")).hasSize(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> longPolls(url) == 4);
        assertThat(polls.stream().filter(CompletableFuture::isDone).count()).isEqualTo(1);
    }

    /** The {@code enjambre_http_longpolls} gauge of the peer's /metrics. */
    private static long longPolls(String url) {
        String text = Harness.call("GET", url + "/metrics", null, null).body();
        Matcher m = Pattern.compile("(?m)^enjambre_http_longpolls\\{[^}]*} ([0-9.eE+-]+)$").matcher(text);
        assertThat(m.find()).as(text).isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    private static JsonNode read(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }
}
