package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A worker that takes tasks and never reports: its replicas time out (NO_REPLY), are reissued, and the job completes. */
class DeadlineTest extends SwarmTest {
    static final long PRIMES_BELOW_ONE_MILLION = 78_498;


    @Test
    void silentWorker_clockPastDeadline_replicasNoReplyAndReissued() {
        TestClock clock = new TestClock();
        coordinator = Coordinator.start(Harness.options(dir).clock(clock));
        String url = coordinator.url();
        String id = Harness.submit(url, Harness.primesSpec(2, 1_000_000, 20, 2, 2, "\"deadlineSeconds\":600"));
        TestWorker silent = new TestWorker(url, "silent", TestWorker.Behaviour.SILENT, 4);
        workers.add(silent);
        await().atMost(Duration.ofSeconds(30)).until(silent::idle);
        assertThat(silent.taken.get()).isEqualTo(4);
        TestWorker a = new TestWorker(url, "a", TestWorker.Behaviour.HONEST);
        TestWorker b = new TestWorker(url, "b", TestWorker.Behaviour.HONEST);
        workers.addAll(List.of(a, b));

        // The honest workers do all they can; the four units the silent worker holds wait for its replicas.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            JsonNode job = Harness.job(url, id);
            assertThat(job.get("workUnits").get("done").asInt()).isEqualTo(16);
            assertThat(job.get("tasks").get("reported").asInt()).isEqualTo(36);
        });
        JsonNode job = Harness.job(url, id);
        assertThat(job.get("state").asText()).isEqualTo("RUNNING");
        int stuck = 0;
        for (JsonNode u : Harness.units(url, id)) {
            if (!u.get("state").asText().equals("DONE")) {
                stuck++;
                assertThat(replicaOf(u, silent.id).get("state").asText()).isEqualTo("IN_PROGRESS");
            }
        }
        assertThat(stuck).isEqualTo(4);

        clock.advance(Duration.ofSeconds(601));

        Harness.awaitJob(url, id, "COMPLETED", Duration.ofSeconds(60));
        assertThat(Harness.call("GET", url + "/api/v1/jobs/" + id + "/result", null, null).json().get("count").asLong())
                .isEqualTo(PRIMES_BELOW_ONE_MILLION);
        int noReply = 0;
        for (JsonNode u : Harness.units(url, id)) {
            assertThat(u.get("state").asText()).isEqualTo("DONE");
            JsonNode mine = replicaOf(u, silent.id);
            if (mine != null) {
                noReply++;
                assertThat(mine.get("outcome").asText()).as("the silent replica of %s", u).isEqualTo("NO_REPLY");
                assertThat(mine.get("state").asText()).isEqualTo("OVER");
                assertThat(u.get("replicas")).as("reissued in %s", u).hasSize(3);
            }
        }
        assertThat(noReply).isEqualTo(4);
        Map<String, JsonNode> view = Harness.workers(url);
        assertThat(view.get(silent.id).get("errors").asLong()).isEqualTo(4);
        assertThat(view.get(silent.id).get("valid").asLong()).isZero();
        assertThat(view.get(silent.id).get("reputation").asDouble())
                .isLessThan(view.get(a.id).get("reputation").asDouble())
                .isLessThan(view.get(b.id).get("reputation").asDouble());
        assertThat(view.get(a.id).get("errors").asLong() + view.get(b.id).get("errors").asLong()).isZero();
        assertThat(view.get(a.id).get("valid").asLong() + view.get(b.id).get("valid").asLong()).isEqualTo(40);
        assertThat(Harness.job(url, id).get("tasks").get("errors").asInt()).isEqualTo(4);
    }

    @Test
    void silentWorker_oneSecondDeadline_jobCompletesWithoutIt() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        String id = Harness.submit(url, Harness.primesSpec(2, 1_000_000, 10, 2, 2, "\"deadlineSeconds\":1"));
        TestWorker silent = new TestWorker(url, "silent", TestWorker.Behaviour.SILENT);
        workers.add(silent);
        await().atMost(Duration.ofSeconds(30)).until(() -> silent.taken.get() > 0);
        workers.add(new TestWorker(url, "a", TestWorker.Behaviour.HONEST));
        workers.add(new TestWorker(url, "b", TestWorker.Behaviour.HONEST));

        Harness.awaitJob(url, id, "COMPLETED", Duration.ofSeconds(60));
        assertThat(Harness.call("GET", url + "/api/v1/jobs/" + id + "/result", null, null).json().get("count").asLong())
                .isEqualTo(PRIMES_BELOW_ONE_MILLION);
        int noReply = 0;
        for (JsonNode u : Harness.units(url, id)) {
            // A replica that timed out no longer keeps its worker from the unit: the silent worker may hold several.
            for (JsonNode mine : u.get("replicas")) {
                if (!mine.get("worker").asText().equals(silent.id)) {
                    continue;
                }
                if (mine.get("outcome").asText().equals("NO_REPLY")) {
                    noReply++;
                } else {
                    // Out when the unit completed: its deadline had not passed yet.
                    assertThat(mine.get("outcome").asText()).as("the silent replica of %s", u).isIn("NONE", "DIDNT_NEED");
                    assertThat(u.get("replicas")).as("unit %s", u).hasSizeGreaterThan(2);
                }
            }
        }
        assertThat(noReply).isPositive();
        assertThat(Harness.workers(url).get(silent.id).get("errors").asLong()).isEqualTo(noReply);
    }

    @Test
    void lateReports_afterNoReply_areStillUsed() {
        TestClock clock = new TestClock();
        coordinator = Coordinator.start(Harness.options(dir).clock(clock));
        String url = coordinator.url();
        String id = Harness.submit(url, Harness.primesSpec(2, 1_000_000, 1, 2, 2, null));
        Harness.Registered x = Harness.register(url, "x", "primes");
        Harness.Registered y = Harness.register(url, "y", "primes");
        JsonNode tx = Harness.fetch(url, x.token(), 1).json().get("tasks").get(0);
        JsonNode ty = Harness.fetch(url, y.token(), 1).json().get("tasks").get(0);

        clock.advance(Duration.ofSeconds(601));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            JsonNode u = Harness.units(url, id).get(0);
            assertThat(replicaOf(u, x.id()).get("outcome").asText()).isEqualTo("NO_REPLY");
            assertThat(replicaOf(u, y.id()).get("outcome").asText()).isEqualTo("NO_REPLY");
        });
        assertThat(Harness.units(url, id).get(0).get("replicas")).as("reissued").hasSize(4);

        for (Map.Entry<Harness.Registered, JsonNode> w : Map.of(x, tx, y, ty).entrySet()) {
            Harness.Response r = Harness.report(url, w.getKey().token(),
                    Map.of(w.getValue().get("id").asText(), TestWorker.output(w.getValue())));
            assertThat(r.json().get("accepted")).as(r.body()).hasSize(1);
        }
        Harness.awaitJob(url, id, "COMPLETED", Duration.ofSeconds(30));
        assertThat(Harness.call("GET", url + "/api/v1/jobs/" + id + "/result", null, null).json().get("count").asLong())
                .isEqualTo(PRIMES_BELOW_ONE_MILLION);
        JsonNode u = Harness.units(url, id).get(0);
        for (Harness.Registered w : List.of(x, y)) {
            assertThat(replicaOf(u, w.id()).get("outcome").asText()).isEqualTo("SUCCESS");
            assertThat(replicaOf(u, w.id()).get("validate").asText()).isEqualTo("VALID");
            JsonNode view = Harness.workers(url).get(w.id());
            assertThat(view.get("valid").asLong()).isEqualTo(1);
            assertThat(view.get("errors").asLong()).as("the missed deadline still counts").isEqualTo(1);
        }
    }

    /** The replica of unit {@code u} held by {@code worker}, or null. */
    static JsonNode replicaOf(JsonNode u, String worker) {
        for (JsonNode r : u.get("replicas")) {
            if (worker.equals(r.get("worker").asText())) {
                return r;
            }
        }
        return null;
    }
}
