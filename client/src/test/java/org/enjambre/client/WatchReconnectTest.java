package org.enjambre.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.enjambre.client.LocalSwarm.PATIENCE;

/**
 * A watcher whose event stream the coordinator drops, or whose coordinator restarts, reconnects and still sees the
 * job complete. The job cannot progress before the test starts workers, so the drop happens while it surely runs.
 */
class WatchReconnectTest {
    @TempDir
    Path dir;
    LocalSwarm swarm;

    @AfterEach
    void stop() {
        if (swarm != null) {
            swarm.close();
        }
    }

    @Test
    void watch_streamDroppedByTheCoordinator_reconnects_andSeesCompleted() throws Exception {
        swarm = LocalSwarm.start(dir);
        try (EnjambreClient client = swarm.client()) {
            String id = client.submit(JobSpec.builder("primes").input(Map.of("from", 2, "to", 1_000_000)).workUnits(8).build()).id();
            List<Job> seen = new CopyOnWriteArrayList<>();
            CompletableFuture<Job> watching = CompletableFuture.supplyAsync(() -> client.watch(id, PATIENCE, seen::add));
            await().atMost(PATIENCE).until(() -> swarm.coordinator.events().subscriberCount() == 1);

            swarm.coordinator.events().close();   // ends every event stream of this peer, as a restart would
            assertThat(swarm.coordinator.events().subscriberCount()).isZero();
            await().atMost(PATIENCE).until(() -> swarm.coordinator.events().subscriberCount() == 1);
            assertThat(watching).isNotDone();
            swarm.withWorkers(2);

            Job last = watching.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(last.state()).isEqualTo(JobState.COMPLETED);
            assertThat(seen.get(seen.size() - 1)).isEqualTo(last);
            assertThat(client.result(id).text()).isEqualTo("{\"count\":78498}");
        }
    }

    @Test
    void watch_coordinatorDownForAWhile_pollsThroughTheOutage_returnsToTheStream_andSeesCompleted() throws Exception {
        swarm = LocalSwarm.start(dir);
        try (EnjambreClient client = swarm.client()) {
            String id = client.submit(JobSpec.builder("primes").input(Map.of("from", 2, "to", 1_000_000)).workUnits(8).build()).id();
            List<Job> seen = new CopyOnWriteArrayList<>();
            CompletableFuture<Job> watching = CompletableFuture.supplyAsync(() -> client.watch(id, PATIENCE, seen::add));
            await().atMost(PATIENCE).until(() -> swarm.coordinator.events().subscriberCount() == 1);

            int port = swarm.stop();
            try (Hangup down = new Hangup(port)) {
                // The stream cannot be reopened, then polls of the job fail too: the watcher rides the outage out.
                await().atMost(PATIENCE).until(() -> down.requests.stream().anyMatch(r -> r.startsWith("GET /api/v1/jobs/" + id)));
                assertThat(down.requests).anyMatch(r -> r.startsWith("GET /api/v1/events"));
                assertThat(watching).isNotDone();
            }
            swarm.startAgain(port);
            await().atMost(PATIENCE).until(() -> swarm.coordinator.events().subscriberCount() == 1);
            assertThat(watching).isNotDone();
            swarm.withWorkers(2);

            Job last = watching.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(last.state()).isEqualTo(JobState.COMPLETED);
            assertThat(client.result(id).text()).isEqualTo("{\"count\":78498}");
        }
    }

    /** A stand-in for a peer that is down, on its port: it reads each request's first line, notes it and hangs up. */
    private static final class Hangup implements AutoCloseable {
        final List<String> requests = new CopyOnWriteArrayList<>();
        private final ServerSocket socket;
        private final Thread thread;

        Hangup(int port) throws IOException {
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            thread = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        s.setSoTimeout(5000);
                        String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                        requests.add(String.valueOf(line));
                    } catch (IOException e) {
                        // closed: the peer is coming back
                    }
                }
            }, "hangup-" + port);
            thread.start();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
