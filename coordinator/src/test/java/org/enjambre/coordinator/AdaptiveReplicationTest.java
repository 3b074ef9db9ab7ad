package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Workers with a long record of valid results run units of adaptive jobs alone; others never do. */
class AdaptiveReplicationTest extends SwarmTest {

    @Test
    void adaptiveJob_trustedWorkersRunUnitsAlone_nonAdaptiveJobNever() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        workers.add(new TestWorker(url, "a", TestWorker.Behaviour.HONEST));
        workers.add(new TestWorker(url, "b", TestWorker.Behaviour.HONEST));
        // 40 units × 2 replicas: each worker ends with about 40 consecutive valid results (threshold 10).
        String history = Harness.submit(url, Harness.primesSpec(2, 4_000_000, 40, 2, 2, null));
        Harness.awaitJob(url, history, "COMPLETED", Duration.ofSeconds(60));
        assertThat(singles(url, history)).isZero();

        String id = Harness.submit(url, "{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":10000000},\"workUnits\":50,"
                + "\"redundancy\":{\"replicas\":2,\"quorum\":2,\"adaptive\":true}}");
        Harness.awaitJob(url, id, "COMPLETED", Duration.ofSeconds(60));
        assertThat(Harness.call("GET", url + "/api/v1/jobs/" + id + "/result", null, null).json().get("count").asLong())
                .isEqualTo(664579);
        // With ~40+ consecutive valid results a worker runs a unit alone with probability ≥ 1 - 1/40.
        assertThat(singles(url, id)).isGreaterThan(25);
        JsonNode job = Harness.job(url, id);
        assertThat(job.get("tasks").get("issued").asInt()).isLessThan(100);
    }

    private static int singles(String url, String id) {
        int n = 0;
        for (JsonNode u : Harness.units(url, id)) {
            if (u.get("replicas").size() == 1) {
                assertThat(u.get("state").asText()).isEqualTo("DONE");
                n++;
            }
        }
        return n;
    }
}
