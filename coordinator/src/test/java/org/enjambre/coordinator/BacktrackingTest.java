package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Backtracking into accepted units (Sarmenta): two colluding saboteurs form the quorum of some units of a
 * running quorum-2 job, then one of them fails a spot-check. The units they made are open again, honest workers
 * recompute them, and the job's answer is right, where plain BOINC-style validation would have kept the lie.
 */
class BacktrackingTest extends SwarmTest {

    @Test
    void collusionCaughtWhileItsJobRuns_reopensTheUnitsItsWorkersAccepted_andTheAnswerIsRight() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        // Known answers first, confirmed by honest workers checking each other (each check goes to a worker
        // that did not compute its answer): a wrong answer to them convicts at once.
        List<TestWorker> honest = List.of(new TestWorker(url, "h1", TestWorker.Behaviour.HONEST),
                new TestWorker(url, "h2", TestWorker.Behaviour.HONEST), new TestWorker(url, "h3", TestWorker.Behaviour.HONEST));
        workers.addAll(honest);
        await().atMost(Duration.ofSeconds(120)).until(() -> {
            String warmup = Harness.submit(url, Harness.primesSpec(2, 400_000, 20, 2, 2, null)
                    .replace("\"quorum\":2}", "\"quorum\":2,\"spotCheckRate\":0.5}"));
            Harness.awaitJob(url, warmup, "COMPLETED", Duration.ofSeconds(60));
            Map<String, JsonNode> now = Harness.workers(url);
            return honest.stream().allMatch(w -> now.get(w.id).get("spotChecksPassed").asLong() >= 2);
        });
        honest.forEach(TestWorker::close);

        // The job without spot-checks: the two colluders, alone, take 4 of its 6 units (both replicas each).
        String id = Harness.submit(url, Harness.primesSpec(2, 1_000_000, 6, 2, 2, "\"deadlineSeconds\":600"));
        TestWorker s1 = new TestWorker(url, "saboteur-1", TestWorker.Behaviour.WRONG, 4);
        TestWorker s2 = new TestWorker(url, "saboteur-2", TestWorker.Behaviour.WRONG, 4);
        workers.addAll(List.of(s1, s2));
        await().atMost(Duration.ofSeconds(30)).until(() -> s1.idle() && s2.idle());
        await().atMost(Duration.ofSeconds(30)).until(() -> Harness.job(url, id).at("/workUnits/done").asInt() == 4);
        assertThat(Harness.job(url, id).get("state").asText()).isEqualTo("RUNNING");

        // Saboteur 1 now works for a job that spot-checks, lying, until a check catches it.
        Harness.submit(url, Harness.primesSpec(2, 100_000, 50, 1, 1, null).replace("\"quorum\":1}", "\"quorum\":1,\"spotCheckRate\":0.5}"));
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Map<String, byte[]> out = new HashMap<>();
            for (JsonNode t : Harness.fetch(url, s1.token, 4).json().path("tasks")) {
                out.put(t.get("id").asText(), TestWorker.wrong(TestWorker.output(t)));
            }
            if (!out.isEmpty()) {
                Harness.report(url, s1.token, out);
            }
            return Harness.workers(url).get(s1.id).get("blacklisted").asBoolean();
        });

        // Honest workers finish the job, the reopened units included.
        workers.add(new TestWorker(url, "h4", TestWorker.Behaviour.HONEST));
        workers.add(new TestWorker(url, "h5", TestWorker.Behaviour.HONEST));
        Harness.awaitJob(url, id, "COMPLETED", Duration.ofSeconds(60));
        assertThat(Harness.call("GET", url + "/api/v1/jobs/" + id + "/result", null, null).json().get("count").asLong())
                .isEqualTo(78498);
        for (JsonNode u : Harness.units(url, id)) {
            JsonNode canonical = u.get("replicas").get(u.get("canonical").asInt());
            assertThat(canonical.get("worker").asText()).as("unit %s", u).isNotIn(s1.id, s2.id);
            for (JsonNode r : u.get("replicas")) {
                if (r.get("worker").asText().equals(s1.id)) {
                    assertThat(r.get("validate").asText()).as("caught saboteur's result in %s", u).isEqualTo("INVALID");
                }
            }
        }
    }
}
