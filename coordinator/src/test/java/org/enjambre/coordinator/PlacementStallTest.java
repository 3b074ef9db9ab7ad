package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A unit that no connected worker may take because of placement is reported in its job's view and, after the
 * placement wait, fails with that reason: never a silent wait (issue 15 items 3 and 4).
 */
class PlacementStallTest extends SwarmTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SPEC = "{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":1000},\"workUnits\":1,"
            + "\"deadlineSeconds\":600,\"redundancy\":{\"replicas\":2,\"quorum\":2,\"maxErrors\":2}}";
    private final TestClock clock = new TestClock();

    private String url() {
        coordinator = Coordinator.start(Harness.options(dir).clock(clock).placementWaitMillis(WAIT.toMillis()));
        return coordinator.url();
    }

    /** The one task a worker takes. */
    private static String takeOne(String url, String token) {
        Harness.Response f = Harness.fetch(url, token, 1);
        assertThat(f.status()).as(f.body()).isEqualTo(200);
        assertThat(f.json().get("tasks")).hasSize(1);
        return f.json().get("tasks").get(0).get("id").asText();
    }

    /** The job of {@link #SPEC} after {@code a} took replica 0 and reported {@code error}, while {@code b} holds replica 1. */
    private static String erredOnce(String url, Harness.Registered a, Harness.Registered b, String error) {
        String job = Harness.submit(url, SPEC);
        String taskOfA = takeOne(url, a.token());
        takeOne(url, b.token());
        Harness.Response r = Harness.call("POST", url + "/api/v1/work/report", a.token(),
                "{\"results\":[{\"id\":\"" + taskOfA + "\",\"error\":\"" + error + "\"}]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("accepted")).hasSize(1);
        return job;
    }

    @Test
    void twoWorkersQuorumTwo_oneErrs_viewSaysNoEligibleWorker_thenUnitFailsWithThatReasonAfterTheWait() {
        String url = url();
        Harness.Registered a = Harness.register(url, "a", "primes");
        String job = erredOnce(url, a, Harness.register(url, "b", "primes"), "module ran longer than 27s");
        // The third replica may go to neither: a held one, b holds one. Nothing else is connected.
        assertThat(Harness.fetch(url, a.token(), 1).json().get("tasks")).isEmpty();

        JsonNode stalled = await().atMost(Duration.ofSeconds(30)).until(() -> Harness.job(url, job),
                j -> j.get("blockers").size() == 1);
        JsonNode blocker = stalled.get("blockers").get(0);
        assertThat(blocker.get("kind").asText()).isEqualTo("placement");
        assertThat(blocker.get("units").asLong()).isEqualTo(1);
        assertThat(blocker.get("reason").asText()).isEqualTo("1 unit has no eligible worker: every connected worker that runs"
                + " primes already holds or held a replica of it, or shares its account or host (placement)");
        assertThat(stalled.get("state").asText()).isEqualTo("RUNNING");
        assertThat(Harness.call("GET", url + "/metrics", null, null).body())
                .contains("enjambre_units_no_eligible_worker{scope=\"peer\"} 1.0");

        clock.advance(WAIT);
        JsonNode failed = Harness.awaitJob(url, job, "FAILED", Duration.ofSeconds(30));
        assertThat(failed.get("failure").asText()).startsWith("unit 0 failed: no eligible worker for ")
                .endsWith(" s: every connected worker that runs primes already holds or held a replica of it (placement)");
        assertThat(failed.get("blockers")).isEmpty();
        JsonNode erred = Harness.units(url, job).get(0).get("replicas").get(0);
        assertThat(erred.get("error").asText()).isEqualTo("module ran longer than 27s");
    }

    @Test
    void unitWithAnEligibleWorker_neverReportedOrFailed() {
        String url = url();
        Harness.Registered c = Harness.register(url, "c", "primes"); // connected, holds nothing: may take the third
        String job = erredOnce(url, Harness.register(url, "a", "primes"), Harness.register(url, "b", "primes"), "boom");
        await().atMost(Duration.ofSeconds(30)).until(() -> Harness.units(url, job).get(0).get("replicas").size() == 3);

        clock.advance(WAIT);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> {
            JsonNode j = Harness.job(url, job);
            return j.get("state").asText().equals("RUNNING") && j.get("blockers").isEmpty();
        });
        assertThat(takeOne(url, c.token())).isEqualTo(job + "/0/2");
    }
}
