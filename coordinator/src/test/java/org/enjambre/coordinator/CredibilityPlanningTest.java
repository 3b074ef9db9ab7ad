package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.workunits.trust.CredibilityPlan;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Credibility that pays in a small swarm (the set-up, smaller): 6 honest workers and 2 colluding
 * saboteurs ran a quorum-2 job with spot-checks; then a θ = 0.9999 credibility job with one replica asked for.
 * No worker is anywhere near the 409 passed checks that make a lone result credible, so waiting for
 * spot-checks would stall every unit until its deadline; the planner issues two replicas up front instead
 * (two agreeing results of workers past their warm-up reach θ) and the job completes long before its 600 s
 * deadline, at no more than quorum 2's cost.
 */
class CredibilityPlanningTest extends SwarmTest {
    private static final double THETA = 0.9999;

    @Test
    void theta9999OnASmallSwarm_completesLongBeforeTheDeadline_atTwoResultsPerUnit_withNoSaboteurResultValid() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        List<TestWorker> honest = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            honest.add(new TestWorker(url, "honest-" + i, TestWorker.Behaviour.HONEST));
        }
        workers.addAll(honest);
        TestWorker s1 = new TestWorker(url, "saboteur-1", TestWorker.Behaviour.WRONG);
        TestWorker s2 = new TestWorker(url, "saboteur-2", TestWorker.Behaviour.WRONG);
        workers.addAll(List.of(s1, s2));

        // The quorum-2 job with spot-checks: known answers, the honest workers' warm-up, the saboteurs caught.
        String quorum = Harness.submit(url, Harness.primesSpec(2, 2_000_000, 100, 2, 2, null)
                .replace("\"quorum\":2}", "\"quorum\":2,\"spotCheckRate\":0.5}"));
        try {
            Harness.awaitJob(url, quorum, "COMPLETED", Duration.ofSeconds(120));
        } catch (Throwable t) {
            System.out.println("DIAG job " + Harness.job(url, quorum));
            for (JsonNode u : Harness.units(url, quorum)) {
                if (!u.get("state").asText().equals("DONE")) {
                    System.out.println("DIAG unit " + u);
                }
            }
            System.out.println("DIAG workers " + Harness.workers(url));
            throw t;
        }
        Harness.awaitBlacklisted(url, s1.id, s2.id);
        Map<String, JsonNode> before = Harness.workers(url);
        for (TestWorker w : honest) {
            assertThat(before.get(w.id).get("spotChecksPassed").asLong()).as("checks of %s", w.id)
                    .isGreaterThanOrEqualTo(5).isLessThan(409);
        }

        String id = Harness.submit(url, "{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":10000000},\"workUnits\":150,"
                + "\"deadlineSeconds\":600,\"redundancy\":{\"replicas\":1,\"quorum\":1,\"credibility\":" + THETA
                + ",\"spotCheckRate\":0.1}}");
        // Far less than the deadline: nothing waits for it.
        Harness.awaitJob(url, id, "COMPLETED", Duration.ofSeconds(120));
        assertThat(Harness.call("GET", url + "/api/v1/jobs/" + id + "/result", null, null).json().get("count").asLong())
                .isEqualTo(664579);

        int results = 0;
        for (JsonNode u : Harness.units(url, id)) {
            assertThat(u.get("state").asText()).isEqualTo("DONE");
            List<Double> valid = new ArrayList<>();
            for (JsonNode r : u.get("replicas")) {
                if (r.get("outcome").asText().equals("SUCCESS")) {
                    results++;
                    assertThat(r.get("worker").asText()).as("saboteur result in %s", u).isNotIn(s1.id, s2.id);
                    if (r.get("validate").asText().equals("VALID")) {
                        valid.add(r.get("credibility").asDouble());
                    }
                }
            }
            // The guarantee: the accepted group is credible to θ (with the credibilities its results recorded).
            double group = CredibilityPlan.agreeing(valid.stream().mapToDouble(Double::doubleValue).toArray());
            assertThat(group).as("credibility of the accepted group of %s", u).isGreaterThanOrEqualTo(THETA);
        }
        assertThat(results).as("results computed for 150 units").isLessThanOrEqualTo(300);
        await().atMost(Duration.ofSeconds(5)).until(() -> Harness.job(url, id).get("state").asText().equals("COMPLETED"));
    }
}
