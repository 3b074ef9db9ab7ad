package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A job from submission to result, run by honest workers over real HTTP, as the API shows it. */
class JobLifecycleTest extends SwarmTest {
    static final long PRIMES_BELOW_TEN_MILLION = 664_579;


    @Test
    void primesJob_threeHonestWorkers_rightCountTwoValidReplicasPerUnitAndCredit() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        String id = Harness.submit(url, Harness.primesSpec(2, 10_000_000, 100, 2, 2, null));
        for (String name : List.of("a", "b", "c")) {
            workers.add(new TestWorker(url, name, TestWorker.Behaviour.HONEST));
        }

        JsonNode job = Harness.awaitJob(url, id, "COMPLETED", Duration.ofSeconds(60));

        Harness.Response result = Harness.call("GET", url + "/api/v1/jobs/" + id + "/result", null, null);
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(result.json().get("count").asLong()).isEqualTo(PRIMES_BELOW_TEN_MILLION);

        assertThat(job.get("progress").asDouble()).isEqualTo(1.0);
        assertThat(job.get("workUnits").get("done").asInt()).isEqualTo(100);
        assertThat(job.get("workUnits").get("failed").asInt()).isZero();
        assertThat(job.get("tasks").get("reported").asInt()).isEqualTo(200);
        assertThat(job.get("tasks").get("valid").asInt()).isEqualTo(200);
        assertThat(job.get("tasks").get("invalid").asInt()).isZero();
        assertThat(job.get("startedAt").isTextual()).isTrue();
        assertThat(job.get("finishedAt").isTextual()).isTrue();

        JsonNode units = Harness.units(url, id);
        assertThat(units).hasSize(100);
        Set<String> workerIds = new HashSet<>();
        workers.forEach(w -> workerIds.add(w.id));
        for (JsonNode u : units) {
            assertThat(u.get("state").asText()).as("unit %s", u).isEqualTo("DONE");
            JsonNode replicas = u.get("replicas");
            assertThat(replicas).as("unit %s", u).hasSize(2);
            Set<String> holders = new HashSet<>();
            for (JsonNode r : replicas) {
                assertThat(r.get("state").asText()).isEqualTo("OVER");
                assertThat(r.get("outcome").asText()).isEqualTo("SUCCESS");
                assertThat(r.get("validate").asText()).isEqualTo("VALID");
                holders.add(r.get("worker").asText());
            }
            assertThat(holders).as("distinct workers in unit %s", u).hasSize(2).isSubsetOf(workerIds);
            assertThat(u.get("canonical").asInt()).isBetween(0, 1);
        }

        Map<String, JsonNode> view = Harness.workers(url);
        assertThat(view.keySet()).containsExactlyInAnyOrderElementsOf(workerIds);
        long valid = 0;
        for (JsonNode w : view.values()) {
            assertThat(w.get("credit").asDouble()).as("credit of %s", w).isPositive();
            assertThat(w.get("invalid").asLong()).isZero();
            assertThat(w.get("errors").asLong()).isZero();
            assertThat(w.get("reputation").asDouble()).isGreaterThan(0.5);
            valid += w.get("valid").asLong();
        }
        assertThat(valid).isEqualTo(200);
        long acknowledged = workers.stream().mapToLong(w -> w.reported.get()).sum();
        assertThat(acknowledged).isEqualTo(200);
    }

    @Test
    void metricsAndHealth_afterAJob_showIt() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        Harness.Response health = Harness.call("GET", url + "/health", null, null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("UP");

        String id = Harness.submit(url, Harness.primesSpec(2, 1_000_000, 10, 2, 2, null));
        workers.add(new TestWorker(url, "a", TestWorker.Behaviour.HONEST));
        workers.add(new TestWorker(url, "b", TestWorker.Behaviour.HONEST));
        Harness.awaitJob(url, id, "COMPLETED", Duration.ofSeconds(60));

        Harness.Response metrics = Harness.call("GET", url + "/metrics", null, null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(metric(metrics.body(), "enjambre_tasks_reported_total")).isEqualTo(20.0);
        assertThat(metric(metrics.body(), "enjambre_tasks_issued_total")).isEqualTo(20.0);
        assertThat(metric(metrics.body(), "enjambre_jobs{state=\"COMPLETED\"}")).isEqualTo(1.0);
        assertThat(metric(metrics.body(), "enjambre_jobs{state=\"RUNNING\"}")).isEqualTo(0.0);
        assertThat(metrics.body()).contains("enjambre_http_requests_seconds_count");
    }

    /** The value of a sample line {@code name value} in Prometheus text. */
    static double metric(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError("no sample " + name + " in:\n" + text);
    }
}
