package org.enjambre.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
 * A watcher whose event stream the coordinator drops reconnects and still sees the job complete. The job cannot
 * progress before the test starts workers, so the drop happens while the job surely runs.
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
}
