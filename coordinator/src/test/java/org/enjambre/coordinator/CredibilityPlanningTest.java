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

        // Quorum-2 jobs with spot-checks, as many as it takes for every honest worker to pass its warm-up (5 checks)
        // and for both saboteurs to be caught: known answers, the warm-up, the blacklist. (The workers had passed 58 to 79.)
        String[] quorum = {null};
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                .alias("warm-up; last job " + quorum[0]).conditionEvaluationListener(c -> {
                    if (!c.isSatisfied() && c.getRemainingTimeInMS() < 300) {
                        System.out.println("warm-up not done: job " + (quorum[0] == null ? "none" : Harness.job(url, quorum[0]))
                                + "\nworkers " + Harness.workers(url));
                    }
                }).until(() -> {
            if (quorum[0] == null || Harness.job(url, quorum[0]).get("state").asText().equals("COMPLETED")) {
                Map<String, JsonNode> now = Harness.workers(url);
                if (honest.stream().allMatch(w -> now.get(w.id).get("spotChecksPassed").asLong() >= 5)
                        && now.get(s1.id).get("blacklisted").asBoolean() && now.get(s2.id).get("blacklisted").asBoolean()) {
                    return true;
                }
                quorum[0] = Harness.submit(url, Harness.primesSpec(2, 2_000_000, 40, 2, 2, null)
                        .replace("\"quorum\":2}", "\"quorum\":2,\"spotCheckRate\":0.5}"));
            }
            return false;
        });
        Harness.awaitBlacklisted(url, s1.id, s2.id);
        Map<String, JsonNode> before = Harness.workers(url);
        for (TestWorker w : honest) {
            assertThat(before.get(w.id).get("spotChecksPassed").asLong()).as("checks of %s", w.id).isLessThan(409);
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
