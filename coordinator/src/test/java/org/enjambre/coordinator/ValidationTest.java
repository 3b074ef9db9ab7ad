package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Quorum validation seen through the API: a worker returning wrong results is outvoted and marked. */
class ValidationTest extends SwarmTest {

    @Test
    void wrongWorker_isOutvoted_invalidReplicasLowerReputationRightResult() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        String id = Harness.submit(url, Harness.primesSpec(2, 10_000_000, 100, 2, 2, null));
        TestWorker liar = new TestWorker(url, "liar", TestWorker.Behaviour.WRONG);
        TestWorker a = new TestWorker(url, "a", TestWorker.Behaviour.HONEST);
        TestWorker b = new TestWorker(url, "b", TestWorker.Behaviour.HONEST);
        workers.addAll(List.of(liar, a, b));

        JsonNode job = Harness.awaitJob(url, id, "COMPLETED", Duration.ofSeconds(60));
        Harness.Response result = Harness.call("GET", url + "/api/v1/jobs/" + id + "/result", null, null);
        assertThat(result.json().get("count").asLong()).isEqualTo(JobLifecycleTest.PRIMES_BELOW_TEN_MILLION);

        int liarReplicas = 0;
        int outvotedUnits = 0;
        for (JsonNode u : Harness.units(url, id)) {
            assertThat(u.get("state").asText()).isEqualTo("DONE");
            JsonNode canonical = u.get("replicas").get(u.get("canonical").asInt());
            assertThat(canonical.get("worker").asText()).as("canonical of %s", u).isNotEqualTo(liar.id);
            int valid = 0;
            for (JsonNode r : u.get("replicas")) {
                String validate = r.get("validate").asText();
                if (r.get("worker").asText().equals(liar.id)) {
                    liarReplicas++;
                    assertThat(r.get("outcome").asText()).isEqualTo("SUCCESS");
                    assertThat(validate).as("the liar's replica in %s", u).isEqualTo("INVALID");
                } else if (r.get("outcome").asText().equals("SUCCESS")) {
                    assertThat(validate).as("an honest replica in %s", u).isEqualTo("VALID");
                    valid++;
                }
            }
            assertThat(valid).as("agreeing replicas in %s", u).isEqualTo(2);
            if (u.get("replicas").size() > 2) {
                outvotedUnits++;
            }
        }
        assertThat(liarReplicas).as("units the liar got").isPositive();
        assertThat(outvotedUnits).as("units that needed a third replica").isEqualTo(liarReplicas);
        assertThat(job.get("tasks").get("invalid").asInt()).isEqualTo(liarReplicas);

        Map<String, JsonNode> view = Harness.workers(url);
        JsonNode l = view.get(liar.id);
        assertThat(l.get("invalid").asLong()).isEqualTo(liarReplicas);
        assertThat(l.get("valid").asLong()).isZero();
        assertThat(l.get("credit").asDouble()).isZero();
        for (TestWorker honest : List.of(a, b)) {
            JsonNode h = view.get(honest.id);
            assertThat(h.get("invalid").asLong()).isZero();
            assertThat(h.get("reputation").asDouble()).as("reputation of %s vs the liar's %s", h, l)
                    .isGreaterThan(l.get("reputation").asDouble());
        }
        assertThat(view.get(a.id).get("valid").asLong() + view.get(b.id).get("valid").asLong()).isEqualTo(200);
    }
}
