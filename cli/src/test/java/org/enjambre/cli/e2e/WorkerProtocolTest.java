package org.enjambre.cli.e2e;

import org.enjambre.worker.Worker;
import org.enjambre.worker.protocol.AssignedTask;
import org.enjambre.worker.protocol.CoordinatorClient;
import org.enjambre.worker.protocol.CoordinatorUnavailableException;
import org.enjambre.worker.protocol.RegisterRequest;
import org.enjambre.worker.protocol.Registration;
import org.enjambre.worker.protocol.ReportAck;
import org.enjambre.worker.protocol.ReportItem;
import org.enjambre.worker.protocol.RequestRejectedException;
import org.enjambre.worker.protocol.UnauthorizedException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.enjambre.cli.e2e.TestCoordinator.PATIENCE;

/**
 * The worker's protocol client and its retry rules against a real coordinator, whose fetch rate limit
 * is low here (30 a minute, 3 at once) so that 429 answers are easy to provoke.
 */
class WorkerProtocolTest {
    private static final RegisterRequest REGISTER =
            new RegisterRequest("box", "linux/amd64", 2, 1024, List.of("noop", "primes"), null, null);

    @TempDir
    static Path shared;
    static TestCoordinator coordinator;

    @TempDir
    Path dir;
    final TestWorkers workers = new TestWorkers();

    @BeforeAll
    static void startCoordinator() {
        Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
        Awaitility.setDefaultPollDelay(Duration.ZERO);
        Awaitility.setDefaultTimeout(PATIENCE);
        coordinator = TestCoordinator.start(shared.resolve("coordinator"), o -> o.fetchLimit(30, 3));
    }

    @AfterAll
    static void stopCoordinator() {
        coordinator.close();
        Awaitility.reset();
    }

    @AfterEach
    void cleanUp() {
        workers.close();
        coordinator.cancelUnfinished();
    }

    private static CoordinatorClient client(String... urls) {
        return new CoordinatorClient(Arrays.stream(urls).map(URI::create).toList(), Duration.ofSeconds(10), Clock.systemUTC());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void register_firstUrlRefusesConnections_failsOverToTheSecond() throws Exception {
        String dead = TestCoordinator.deadUrl();
        CoordinatorClient client = client(dead, coordinator.url());

        assertThatThrownBy(() -> client.register(REGISTER))
                .isInstanceOf(CoordinatorUnavailableException.class)
                .hasMessageStartingWith(dead + " did not answer POST /api/v1/workers/register");
        assertThat(client.current()).isEqualTo(URI.create(coordinator.url()));
        Registration registration = client.register(REGISTER);
        assertThat(registration.workerId()).startsWith("w-");
        assertThat(coordinator.worker(registration.workerId()).get("name").asText()).isEqualTo("box");
    }

    @Test
    void fetchAndReport_speakTheWireFormat_andReportsAreIdempotent() throws Exception {
        CoordinatorClient client = client(coordinator.url());
        Registration me = client.register(REGISTER);
        String job = coordinator.submit("{\"app\":\"noop\",\"input\":\"hello\",\"workUnits\":1,\"redundancy\":{\"replicas\":1,\"quorum\":1}}");

        long before = System.currentTimeMillis();
        List<AssignedTask> tasks = client.fetch(me.token(), 4, Duration.ofSeconds(5));
        assertThat(tasks).singleElement().satisfies(t -> {
            assertThat(t.id()).isEqualTo(job + "/0/0");
            assertThat(t.app()).isEqualTo("noop");
            assertThat(t.input()).isEqualTo(utf8("hello#0"));
            assertThat(t.deadlineEpochMillis()).isBetween(before + 599_000, System.currentTimeMillis() + 601_000);
            assertThat(t.blob()).isNull();
            assertThat(t.problem()).isNull();
        });

        CoordinatorClient other = client(coordinator.url());
        Registration stranger = other.register(REGISTER);
        ReportAck foreign = other.report(stranger.token(), List.of(new ReportItem(job + "/0/0", utf8("hello#0"), null)), Duration.ofSeconds(10));
        assertThat(foreign.accepted()).isEmpty();
        assertThat(foreign.rejected()).singleElement().satisfies(r -> {
            assertThat(r.code()).isEqualTo("NOT_YOURS");
            assertThat(r.isFinal()).isTrue();
        });

        List<ReportItem> report = List.of(new ReportItem(job + "/0/0", utf8("hello#0"), null),
                new ReportItem("j-nosuchjob/0/0", null, "OutOfMemoryError"));
        for (int attempt = 0; attempt < 2; attempt++) { // the same report twice: accepted twice, counted once
            ReportAck ack = client.report(me.token(), report, Duration.ofSeconds(10));
            assertThat(ack.accepted()).as("attempt %d: %s", attempt, ack).containsExactly(job + "/0/0");
            assertThat(ack.rejected()).singleElement().satisfies(r -> {
                assertThat(r.code()).isEqualTo("UNKNOWN_TASK");
                assertThat(r.isFinal()).isTrue();
            });
        }
        coordinator.awaitJob(job, "COMPLETED");
        assertThat(coordinator.job(job).at("/tasks/reported").asInt()).isEqualTo(1);

        ReportAck changed = client.report(me.token(), List.of(new ReportItem(job + "/0/0", utf8("other"), null)), Duration.ofSeconds(10));
        assertThat(changed.rejected()).singleElement().satisfies(r -> assertThat(r.code()).isEqualTo("CONFLICT"));
    }

    @Test
    void fetch_nothingReady_longPollsThenAnswersNoTasks() throws Exception {
        CoordinatorClient client = client(coordinator.url());
        String token = client.register(REGISTER).token();
        long start = System.nanoTime();
        assertThat(client.fetch(token, 1, Duration.ofMillis(600))).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
    }

    @Test
    void unknownToken_isUnauthorized() {
        CoordinatorClient client = client(coordinator.url());
        assertThatThrownBy(() -> client.fetch("nobody", 1, Duration.ZERO))
                .isInstanceOf(UnauthorizedException.class)
                .hasMessageContaining("answered 401");
    }

    @Test
    void missingBlob_isRejectedWithItsCode() throws Exception {
        CoordinatorClient client = client(coordinator.url());
        String token = client.register(REGISTER).token();
        assertThatThrownBy(() -> client.blob(token, "0".repeat(64)))
                .isInstanceOfSatisfying(RequestRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.code()).isEqualTo("NOT_FOUND");
                });
    }

    @Test
    void credit_isReadFromTheWorkersView() throws Exception {
        CoordinatorClient client = client(coordinator.url());
        Registration me = client.register(REGISTER);
        assertThat(client.credit(me.workerId(), Duration.ofSeconds(5))).hasValue(0.0);
        assertThat(client.credit("w-nobody", Duration.ofSeconds(5))).isEmpty();
    }

    @Test
    void tooManyFetches_answer429WithRetryAfter_andTheClientKeepsItsUrl() throws Exception {
        CoordinatorClient client = client(coordinator.url(), TestCoordinator.deadUrl());
        String token = client.register(REGISTER).token();
        CoordinatorUnavailableException refused = null;
        for (int i = 0; i < 10 && refused == null; i++) {
            try {
                client.fetch(token, 1, Duration.ZERO);
            } catch (CoordinatorUnavailableException e) {
                refused = e;
            }
        }
        assertThat(refused).as("a 429 within 10 quick fetches").isNotNull();
        assertThat(refused).hasMessageContaining("answered 429");
        assertThat(refused.retryAfter()).hasValueSatisfying(d -> assertThat(d).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2)));
        assertThat(client.current()).isEqualTo(URI.create(coordinator.url()));
    }

    @Test
    void workerThatFetchesTooOften_honoursRetryAfter_andStillGetsItsWork() {
        Worker worker = workers.start(TestWorkers.options(dir.resolve("eager"), "eager", coordinator.url())
                .fetchWait(Duration.ofMillis(100)).backoff(Duration.ofMillis(20), Duration.ofMillis(200)).build());
        await().until(() -> worker.stats().state() == Worker.State.BACKING_OFF);
        assertThat(worker.stats().problem()).contains("answered 429");
        long fetches = coordinator.requests("POST", "/api/v1/work/fetch", 429) + coordinator.requests("POST", "/api/v1/work/fetch", 200);
        // Backing off from 20 ms to at most 200 ms alone, it would fetch at least 15 times in 3 s; honouring
        // Retry-After (2 s at 30 a minute) it fetches twice per 2 s: once answered, once refused.
        await("at most 6 fetches in 3 s").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
                coordinator.requests("POST", "/api/v1/work/fetch", 429) + coordinator.requests("POST", "/api/v1/work/fetch", 200) <= fetches + 6);

        String job = coordinator.submit("{\"app\":\"noop\",\"input\":\"late\",\"workUnits\":1,\"redundancy\":{\"replicas\":1,\"quorum\":1}}");
        coordinator.awaitJob(job, "COMPLETED");
        assertThat(coordinator.units(job).get(0).at("/replicas/0/worker").asText()).isEqualTo(worker.workerId().orElseThrow());
    }
}
