package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Units sized for a browser's visit over real HTTP (issue 18 item 3): a browser is taught a visit and a speed through
 * the worker protocol on a clock the test moves, then gets only the units that fit its visit, while a JVM worker
 * takes the large ones; a job whose units are all too long for browsers still completes with a browser alone.
 *
 * <p>Units: primes over 100-integer ranges cost (100 + sqrt(to)) × 4e-9, so a job over 2..10002 mixes units from
 * 110 to 200 (× 4e-9) cost units. The teaching browser computes one unit of cost c0 (2..102) in 1000 s of the clock,
 * so its speed is c0 / 1000 s, with long clock steps so that the few real milliseconds of HTTP do not matter.
 */
class VisitSizingTest extends SwarmTest {
    private static final String DEADLINE = "\"deadlineSeconds\":3600";
    private final TestClock clock = new TestClock();

    private String url() {
        return coordinator.url();
    }

    private Harness.Registered browser(String name) {
        Harness.Response r = Harness.call("POST", url() + "/api/v1/workers/register", null,
                "{\"name\":\"" + name + "\",\"platform\":\"browser\",\"cores\":4,\"memoryMb\":256,\"apps\":[\"primes\"]}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return new Harness.Registered(r.json().get("workerId").asText(), r.json().get("token").asText());
    }

    /**
     * A fetch right after a submission, repeated until it brings something: the coordinator indexes a new job's
     * units as the cluster map tells it they exist, a moment after the job is accepted.
     */
    private List<JsonNode> fetchOnceReady(Harness.Registered b, int max) {
        List<JsonNode> out = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            out.addAll(fetch(b, max));
            return !out.isEmpty();
        });
        return out;
    }

    private List<JsonNode> fetch(Harness.Registered b, int max) {
        Harness.Response r = Harness.fetch(url(), b.token(), max);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        r.json().get("tasks").forEach(out::add);
        return out;
    }

    private void report(Harness.Registered b, List<JsonNode> tasks) {
        Map<String, byte[]> outputs = new HashMap<>();
        tasks.forEach(t -> outputs.put(t.get("id").asText(), TestWorker.output(t)));
        Harness.Response r = Harness.report(url(), b.token(), outputs);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("accepted")).hasSize(tasks.size());
    }

    private void sync(Harness.Registered b, List<JsonNode> holding) {
        StringBuilder ids = new StringBuilder();
        holding.forEach(t -> ids.append(ids.length() == 0 ? "" : ",").append('"').append(t.get("id").asText()).append('"'));
        Harness.Response r = Harness.call("POST", url() + "/api/v1/work/sync", b.token(), "{\"holding\":[" + ids + "]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    /** Moves the clock by {@code seconds} in steps shorter than the visit gap, the browser syncing after each. */
    private void stay(Harness.Registered b, List<JsonNode> holding, int seconds) {
        for (int left = seconds; left > 0; left -= 50) {
            clock.advance(Duration.ofSeconds(Math.min(50, left)));
            sync(b, holding);
        }
    }

    /**
     * Teaches the cluster a browser visit of {@code visitSeconds} in which one unit of cost c0 took 1000 s; returns c0.
     * The page's release as it goes away ends the visit; the gap passes and the visit is recorded.
     */
    private double teach(Harness.Registered b, int visitSeconds) {
        String teaching = Harness.submit(url(), Harness.primesSpec(2, 102, 1, 1, 1, DEADLINE));
        List<JsonNode> one = fetchOnceReady(b, 1);
        assertThat(one).hasSize(1);
        double c0 = one.get(0).get("cost").asDouble();
        stay(b, one, 1000);
        report(b, one);
        Harness.awaitJob(url(), teaching, "COMPLETED", Duration.ofSeconds(30));
        stay(b, List.of(), visitSeconds - 1000);
        sync(b, List.of()); // pagehide
        clock.advance(Duration.ofSeconds(61));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(Harness.workers(url()).get(b.id()).get("visit").get("visits").asInt()).isEqualTo(1));
        return c0;
    }

    @Test
    void browserWithShortVisits_getsTheSmallUnits_jvmWorkerTheLargeOnes_andTheJobCompletes() {
        coordinator = Coordinator.start(Harness.options(dir).clock(clock));
        Harness.Registered b = browser("tab");
        double c0 = teach(b, 1500);
        JsonNode visit = Harness.workers(url()).get(b.id()).get("visit");
        assertThat(visit.get("typicalSeconds").asDouble()).isCloseTo(1500, within(1.0));
        assertThat(visit.get("measuredSpeed").asDouble()).isCloseTo(c0 / 1000, within(c0 / 1000 * 0.01));
        assertThat(visit.get("expectedSeconds").asDouble()).isCloseTo(1500, within(1.0));
        double slot = 1.5 * c0; // a fresh visit: all of 1500 s left, at c0 per 1000 s

        String job = Harness.submit(url(), Harness.primesSpec(2, 10_002, 100, 1, 1, DEADLINE));
        List<JsonNode> small = fetchOnceReady(b, 64);
        assertThat(small).as("units that fit the visit").isNotEmpty();
        assertThat(small).allSatisfy(t -> assertThat(t.get("cost").asDouble()).isLessThanOrEqualTo(slot * 1.001));
        double taken = small.stream().mapToDouble(t -> t.get("cost").asDouble()).sum();
        assertThat(taken).as("no more than 4 slots can finish in the visit").isLessThanOrEqualTo(4 * slot * 1.001);
        assertThat(small.size()).isLessThan(64);

        workers.add(new TestWorker(url(), "jvm", TestWorker.Behaviour.HONEST));
        report(b, small);
        Harness.awaitJob(url(), job, "COMPLETED", Duration.ofSeconds(60));
        assertThat(Harness.get(url() + "/api/v1/jobs/" + job + "/result").get("count").asLong()).isEqualTo(1229); // π(10001)

        int large = 0;
        for (JsonNode u : Harness.units(url(), job)) {
            String worker = u.get("replicas").get(0).get("worker").asText();
            double cost = (100 + Math.sqrt(2 + 100.0 * (u.get("index").asInt() + 1))) * 4e-9;
            if (cost > slot * 1.001) {
                large++;
                assertThat(worker).as("unit %s costs %s, more than the browser's visit", u.get("index"), cost)
                        .isNotEqualTo(b.id());
            }
        }
        assertThat(large).as("the job mixes units too large for the visit").isGreaterThan(40);
    }

    @Test
    void visitHistory_keptWithTheWorkerRecord_survivesARestartOfTheCoordinator() {
        coordinator = Coordinator.start(Harness.options(dir).clock(clock));
        Harness.Registered b = browser("tab");
        double c0 = teach(b, 1200);
        coordinator.close();
        coordinator = Coordinator.start(Harness.options(dir).clock(clock));
        JsonNode visit = Harness.workers(url()).get(b.id()).get("visit");
        assertThat(visit.get("visits").asInt()).isEqualTo(1);
        assertThat(visit.get("typicalSeconds").asDouble()).isCloseTo(1200, within(1.0));
        assertThat(visit.get("measuredSpeed").asDouble()).isCloseTo(c0 / 1000, within(c0 / 1000 * 0.01));
    }

    @Test
    void browserOnlyJob_unitsTooLongForAnyVisit_refusedThenGivenAfterTheWait_andTheJobCompletes() {
        coordinator = Coordinator.start(Harness.options(dir).clock(clock));
        Harness.Registered teacher = browser("teacher");
        double c0 = teach(teacher, 1000);
        // Units of 200 integers cost about twice c0: too long for a 1000 s visit at c0 per 1000 s, for any browser.
        String job = Harness.submit(url(), Harness.primesSpec(2, 20_002, 100, 1, 1, DEADLINE));
        assertThat(fetch(teacher, 4)).as("every unit is longer than the visit").isEmpty();
        clock.advance(Duration.ofMillis(org.enjambre.coordinator.sched.VisitPlanner.DEFAULT_OVERSIZE_WAIT_MILLIS));
        // A new tab with no history of its own expects the platform's visit and speed: the units are still too long
        // for it, but they waited long enough for another kind of worker: it gets them.
        TestWorker tab = TestWorker.browser(url(), "new-tab");
        workers.add(tab);
        Harness.awaitJob(url(), job, "COMPLETED", Duration.ofSeconds(60));
        assertThat(Harness.get(url() + "/api/v1/jobs/" + job + "/result").get("count").asLong()).isEqualTo(2262); // π(20001)
        // The worker counts a report once its answer arrives, which may be after the job shows COMPLETED.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(tab.reported.get()).isEqualTo(100));
        assertThat(c0).isPositive();
    }
}
