package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Saboteurs among honest workers: spot-checks catch them, backtracking undoes their pending results. */
class SabotageTest extends SwarmTest {

    @Test
    void colludingSaboteurs_areBlacklisted_andTheResultIsRight() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        // Honest history first: completed units become the known answers of spot-checks.
        workers.add(new TestWorker(url, "honest-1", TestWorker.Behaviour.HONEST));
        workers.add(new TestWorker(url, "honest-2", TestWorker.Behaviour.HONEST));
        workers.add(new TestWorker(url, "honest-3", TestWorker.Behaviour.HONEST));
        String warmup = Harness.submit(url, Harness.primesSpec(2, 2_000_000, 20, 2, 2, null));
        Harness.awaitJob(url, warmup, "COMPLETED", Duration.ofSeconds(60));

        // Two colluding saboteurs (the same wrong answer) of one account: the account rule keeps them off
        // the same unit, and spot-checks at a high rate catch them.
        TestWorker s1 = new TestWorker(url, "saboteur-1", "mallory", TestWorker.Behaviour.WRONG, Integer.MAX_VALUE);
        TestWorker s2 = new TestWorker(url, "saboteur-2", "mallory", TestWorker.Behaviour.WRONG, Integer.MAX_VALUE);
        workers.addAll(List.of(s1, s2));
        String id = Harness.submit(url, "{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":10000000},\"workUnits\":100,"
                + "\"redundancy\":{\"replicas\":2,\"quorum\":2,\"spotCheckRate\":0.3}}");
        JsonNode job = Harness.awaitJob(url, id, "COMPLETED", Duration.ofSeconds(90));
        assertThat(job.get("state").asText()).isEqualTo("COMPLETED");
        assertThat(Harness.call("GET", url + "/api/v1/jobs/" + id + "/result", null, null).json().get("count").asLong())
                .isEqualTo(664579);

        Harness.awaitBlacklisted(url, s1.id, s2.id);
        Map<String, JsonNode> all = Harness.workers(url);
        for (TestWorker w : workers.subList(0, 3)) {
            assertThat(all.get(w.id).get("blacklisted").asBoolean()).isFalse();
            assertThat(all.get(w.id).get("spotChecksFailed").asLong()).isZero();
        }
        assertThat(all.get(s1.id).get("spotChecksFailed").asLong() + all.get(s2.id).get("spotChecksFailed").asLong())
                .isGreaterThanOrEqualTo(2);
        // No canonical result came from a saboteur.
        for (JsonNode u : Harness.units(url, id)) {
            JsonNode canonical = u.get("replicas").get(u.get("canonical").asInt());
            assertThat(canonical.get("worker").asText()).isNotIn(s1.id, s2.id);
        }
        // Blacklisted workers get no more work.
        assertThat(Harness.fetch(url, s1.token, 4).json().get("tasks")).isEmpty();
    }
}
