package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class CoordinatorTest extends SwarmTest {

    @Test
    void noopJob_runByTwoWorkers_completes() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        Harness.Response sub = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY,
                "{\"app\":\"noop\",\"input\":{},\"workUnits\":20}");
        assertThat(sub.status()).as(sub.body()).isEqualTo(201);
        String id = sub.json().get("id").asText();
        try (TestWorker a = new TestWorker(url, "a", TestWorker.Behaviour.HONEST);
             TestWorker b = new TestWorker(url, "b", TestWorker.Behaviour.HONEST)) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode job = Harness.call("GET", url + "/api/v1/jobs/" + id, null, null).json();
                assertThat(job.get("state").asText()).isEqualTo("COMPLETED");
            });
        }
        Harness.Response result = Harness.call("GET", url + "/api/v1/jobs/" + id + "/result", null, null);
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.json().get("workUnits").asInt()).isEqualTo(20);
    }
}
