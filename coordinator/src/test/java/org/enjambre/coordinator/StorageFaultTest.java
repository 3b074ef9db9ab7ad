package org.enjambre.coordinator;

import org.enjambre.coordinator.store.FullDisk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A coordinator whose data directory fills up (issue 13, "disk full does not heal"): writes answer 503,
 * {@code /health} says DEGRADED (503) and the metrics say so; once space is freed, the store reopens by
 * itself, {@code /health} is UP again, writes succeed, and the job acknowledged before is still there.
 */
class StorageFaultTest {
    @TempDir
    Path dir;
    Coordinator coordinator;

    @AfterEach
    void stop() {
        FullDisk.free();
        if (coordinator != null) {
            coordinator.close();
        }
    }

    @Test
    void diskFullThenFreed_degradesAndHealsWithoutARestart() {
        coordinator = Coordinator.start(Harness.options(dir).db(FullDisk.url(dir)));
        String url = coordinator.url();
        String before = Harness.submit(url, Harness.primesSpec(2, 1000, 2, 1, 1, null));

        FullDisk.fill();
        Harness.Response refused = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY, Harness.primesSpec(2, 1000, 2, 1, 1, null));
        assertThat(refused.status()).isEqualTo(503);
        Harness.Response health = Harness.call("GET", url + "/health", null, null);
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.json().get("status").asText()).isEqualTo("DEGRADED");
        String metrics = Harness.call("GET", url + "/metrics", null, null).body();
        assertThat(metrics).contains("enjambre_store_healthy{scope=\"peer\"} 0.0");
        assertThat(metrics).containsPattern("enjambre_store_write_failures_total\\{scope=\"peer\"} [1-9]");

        FullDisk.free();
        await().atMost(Duration.ofSeconds(30)).until(() -> Harness.call("GET", url + "/health", null, null).status() == 200);
        assertThat(Harness.get(url + "/health").get("status").asText()).isEqualTo("UP");
        String after = Harness.submit(url, Harness.primesSpec(2, 1000, 2, 1, 1, null));
        assertThat(Harness.job(url, before).get("state").asText()).isEqualTo("QUEUED");
        assertThat(Harness.job(url, after).get("state").asText()).isEqualTo("QUEUED");
        assertThat(Harness.call("GET", url + "/metrics", null, null).body()).contains("enjambre_store_healthy{scope=\"peer\"} 1.0");
    }
}
