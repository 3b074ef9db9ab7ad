package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * In a quorum job with spot-checks, a quorum needs a worker that passed a check (issue 15): two colluding saboteurs
 * that take both replicas of every unit before either meets a check do not make the job's answer. Their units wait,
 * counted as waiting for credibility; after the credibility wait each gets one more replica, honest workers outvote
 * the lie, and the answer is right. With plain quorum voting the job completed with the colluders' lie at once.
 */
class VouchedQuorumTest extends SwarmTest {

    @Test
    void twoUncheckedColludersTakeEveryReplica_noUnitIsAcceptedOnTheirWord_andHonestWorkersMakeTheAnswer() {
        coordinator = Coordinator.start(Harness.options(dir).credibilityWait(Duration.ofSeconds(2)));
        String url = coordinator.url();
        String id = Harness.submit(url, Harness.primesSpec(2, 200_000, 4, 2, 2, "\"deadlineSeconds\":600")
                .replace("\"quorum\":2}", "\"quorum\":2,\"spotCheckRate\":0.1}"));

        // Two colluders (registered only: the test fetches and reports for them). They give the same wrong answer to
        // every unit of the job and never answer a spot-check, so neither ever passes one.
        TestWorker s1 = new TestWorker(url, "colluder-1", "colluders-a", TestWorker.Behaviour.WRONG, 0);
        TestWorker s2 = new TestWorker(url, "colluder-2", "colluders-b", TestWorker.Behaviour.WRONG, 0);
        workers.addAll(List.of(s1, s2));
        Set<String> lied = new HashSet<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (TestWorker s : List.of(s1, s2)) {
                Map<String, byte[]> out = new HashMap<>();
                for (JsonNode t : Harness.fetch(url, s.token, 8).json().path("tasks")) {
                    String task = t.get("id").asText();
                    if (task.startsWith(id + "/")) {
                        out.put(task, TestWorker.wrong(TestWorker.output(t)));
                    }
                }
                if (!out.isEmpty()) {
                    assertThat(Harness.report(url, s.token, out).status()).isEqualTo(200);
                    lied.addAll(out.keySet());
                }
            }
            return lied.size() == 8; // both replicas of all 4 units
        });

        JsonNode job = Harness.job(url, id);
        assertThat(job.at("/workUnits/done").asInt()).as("units accepted on two unchecked colluders' word: %s", job).isZero();
        assertThat(job.get("state").asText()).isEqualTo("RUNNING");
        for (JsonNode u : Harness.units(url, id)) {
            assertThat(u.get("state").asText()).as("unit %s", u).isNotEqualTo("DONE");
        }

        // Honest workers join: the credibility wait gives each unit one more replica, and they outvote the lie.
        workers.add(new TestWorker(url, "honest-1", TestWorker.Behaviour.HONEST));
        workers.add(new TestWorker(url, "honest-2", TestWorker.Behaviour.HONEST));
        workers.add(new TestWorker(url, "honest-3", TestWorker.Behaviour.HONEST));
        Harness.awaitJob(url, id, "COMPLETED", Duration.ofSeconds(120));
        assertThat(Harness.call("GET", url + "/api/v1/jobs/" + id + "/result", null, null).json().get("count").asLong())
                .isEqualTo(17984); // primes below 200,000
        for (JsonNode u : Harness.units(url, id)) {
            JsonNode canonical = u.get("replicas").get(u.get("canonical").asInt());
            assertThat(canonical.get("worker").asText()).as("unit %s", u).isNotIn(s1.id, s2.id);
        }
    }
}
