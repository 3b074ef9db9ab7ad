package org.enjambre.worker;

import org.enjambre.worker.store.DataDir;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The worker's life cycle on its own: starting, stopping, its data directory lock, its status line.
 * Its behaviour against a coordinator (registration, fail-over, backoff, restarts, checkpoints) is
 * tested end to end against the real coordinator in the cli module.
 */
class WorkerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final List<Worker> workers = new ArrayList<>();

    @BeforeAll
    static void pollOften() {
        Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
        Awaitility.setDefaultPollDelay(Duration.ZERO);
    }

    @AfterAll
    static void resetPolling() {
        Awaitility.reset();
    }

    @AfterEach
    void tearDown() {
        workers.forEach(Worker::abort);
    }

    /** A URL on 127.0.0.1 where nothing listens (connection refused). */
    private static String deadUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }

    private WorkerOptions options() throws IOException {
        return WorkerOptions.builder(deadUrl()).cores(2).dataDir(dir).name("test-worker")
                .fetchWait(Duration.ofMillis(200))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .build();
    }

    private Worker start(WorkerOptions options) throws IOException {
        Worker worker = new Worker(options);
        workers.add(worker);
        worker.start();
        return worker;
    }

    @Test
    void stop_withNoCoordinatorAnswering_isQuickAndReleasesTheDataDirectory() throws IOException {
        Worker worker = start(options());
        await().atMost(WAIT).until(() -> worker.stats().state() == Worker.State.BACKING_OFF);
        assertThat(worker.stats().problem()).contains("did not answer POST /api/v1/workers/register");
        long begin = System.nanoTime();
        assertThat(worker.stop(Duration.ofSeconds(3))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(4));
        assertThat(worker.stats().state()).isEqualTo(Worker.State.STOPPED);
        DataDir.open(dir).close(); // the lock is released
    }

    @Test
    void secondWorkerOnTheSameDataDir_cannotStart() throws IOException {
        start(options());
        Worker second = new Worker(options());
        assertThatThrownBy(second::start).isInstanceOf(IOException.class).hasMessageContaining("is in use by another worker");
        assertThat(second.stats().state()).isEqualTo(Worker.State.FAILED);
        assertThat(second.stop(Duration.ofSeconds(1))).isTrue();
        assertThat(second.stats().state()).isEqualTo(Worker.State.FAILED);
    }

    @Test
    void start_twice_isRefused() throws IOException {
        Worker worker = start(options());
        assertThatThrownBy(worker::start).isInstanceOf(IllegalStateException.class)
                .hasMessageMatching("a worker starts once; this one is (working|backing_off)");
    }

    @Test
    void statusLine_saysWhatTheWorkerDoes() {
        WorkerStats stats = new WorkerStats(Worker.State.WORKING, "w-1", URI.create("http://127.0.0.1:8080"), 3, 2, 2, 40, 1, 0, 39, 0, 1,
                java.util.OptionalDouble.of(12.25), null);
        assertThat(stats.statusLine()).isEqualTo("w-1 working | running 2/3 | done 40 | failed 1 | to report 1 | credit 12.3 | "
                + "http://127.0.0.1:8080");
        WorkerStats buffered = new WorkerStats(Worker.State.WORKING, "w-1", null, 2, 2, 130, 0, 0, 0, 0, 0, 0,
                java.util.OptionalDouble.empty(), null);
        assertThat(buffered.statusLine()).isEqualTo("w-1 working | running 2/2 (+128 queued) | done 0 | failed 0 | to report 0");
    }
}
