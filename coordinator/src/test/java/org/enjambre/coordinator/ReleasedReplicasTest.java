package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker's replicas come back at once, not at their deadline (600 s here), when it is blacklisted, revoked,
 * deregisters, or says at a sync that it no longer holds them; none of that counts as its error.
 */
class ReleasedReplicasTest extends SwarmTest {
    private static final String LONG_DEADLINE = "\"deadlineSeconds\":600";

    private String url() {
        if (coordinator == null) {
            coordinator = Coordinator.start(Harness.options(dir));
        }
        return coordinator.url();
    }

    /** Task ids a worker took by fetching {@code max} at once. */
    private static List<String> take(String url, String token, int max) {
        Harness.Response f = Harness.fetch(url, token, max);
        assertThat(f.status()).as(f.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        f.json().get("tasks").forEach(t -> ids.add(t.get("id").asText()));
        return ids;
    }

    /** The outcomes of a worker's replicas in a job's units view. */
    private static List<String> outcomes(String url, String job, String workerId) {
        List<String> out = new ArrayList<>();
        for (JsonNode u : Harness.units(url, job)) {
            for (JsonNode r : u.get("replicas")) {
                if (workerId.equals(r.path("worker").asText())) {
                    out.add(r.get("outcome").asText());
                }
            }
        }
        return out;
    }

    @Test
    void blacklistedWorker_itsHeldUnitsDoneLongBeforeTheirDeadline() {
        String url = url();
        // Known answers come from voting and are provisional until a worker that did not compute them confirms one
        // (SpotChecks): two honest workers check each other until both passed five checks.
        TestWorker warm1 = new TestWorker(url, "honest-warm-up-1", TestWorker.Behaviour.HONEST);
        TestWorker warm2 = new TestWorker(url, "honest-warm-up-2", TestWorker.Behaviour.HONEST);
        workers.addAll(List.of(warm1, warm2));
        String[] warmUp = {null};
        await().atMost(Duration.ofSeconds(120)).until(() -> {
            if (warmUp[0] == null || Harness.job(url, warmUp[0]).get("state").asText().equals("COMPLETED")) {
                Map<String, JsonNode> now = Harness.workers(url);
                if (now.get(warm1.id).get("spotChecksPassed").asLong() >= 5 && now.get(warm2.id).get("spotChecksPassed").asLong() >= 5) {
                    return true;
                }
                warmUp[0] = Harness.submit(url, "{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":200000},\"workUnits\":8,"
                        + "\"redundancy\":{\"replicas\":1,\"quorum\":1,\"spotCheckRate\":0.5}}");
            }
            return false;
        });
        warm1.close();
        warm2.close();

        String job = Harness.submit(url, "{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":400000},\"workUnits\":200,"
                + LONG_DEADLINE + ",\"redundancy\":{\"replicas\":1,\"quorum\":1,\"spotCheckRate\":0.5}}");
        Harness.Registered saboteur = Harness.register(url, "saboteur", "primes");
        List<String> held = new ArrayList<>();
        // It answers every check wrong until one with a confirmed answer catches it (a provisional one does not).
        // On probation it may hold only a few units at once (TrustRules.inProgressLimit): when a fetch brings none,
        // it reports what it holds, wrong, and fetches again.
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            // One chance of a check per unit issued, and only while units are left to take: 200 units give it about
            // 100 chances, so that it surely meets a check with a confirmed answer (with 40 it ran out of units
            // first, about once in ten runs, and was never caught).
            boolean gotUnits = false;
            for (String id : take(url, saboteur.token(), 2)) {
                if (id.startsWith("spot-")) {
                    Harness.Response r = Harness.report(url, saboteur.token(), Map.of(id, "{\"count\":-1}".getBytes()));
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                } else {
                    held.add(id);
                    gotUnits = true;
                }
            }
            boolean blacklisted = Harness.workers(url).get(saboteur.id()).get("blacklisted").asBoolean();
            if (!gotUnits && !blacklisted && !held.isEmpty()) {
                Map<String, byte[]> lies = new HashMap<>();
                held.forEach(id -> lies.put(id, "{\"count\":-1}".getBytes()));
                assertThat(Harness.report(url, saboteur.token(), lies).status()).isEqualTo(200);
                held.clear();
            }
            return blacklisted;
        });
        assertThat(held).isNotEmpty();
        // At once, before any other worker came: what it held is released, not waiting for the 600 s deadline.
        List<String> outcomes = outcomes(url, job, saboteur.id());
        assertThat(outcomes).as("nothing of it left in progress").doesNotContain("NONE");
        assertThat(outcomes).filteredOn("RELEASED"::equals).hasSize(held.size());

        workers.add(new TestWorker(url, "honest", TestWorker.Behaviour.HONEST));
        JsonNode done = Harness.awaitJob(url, job, "COMPLETED", Duration.ofSeconds(60));
        assertThat(done.get("state").asText()).isEqualTo("COMPLETED");
        assertThat(Harness.get(url + "/api/v1/jobs/" + job + "/result").get("count").asLong()).isEqualTo(33860);
    }

    @Test
    void revokedWorker_tokenRefusedRevoked_andItsReplicasReissuedAtOnce() {
        String url = url();
        String job = Harness.submit(url, Harness.primesSpec(2, 100_000, 4, 1, 1, LONG_DEADLINE));
        Harness.Registered gone = Harness.register(url, "gone", "primes");
        assertThat(take(url, gone.token(), 4)).hasSize(4);

        Harness.Response noKey = Harness.call("DELETE", url + "/api/v1/workers/" + gone.id(), null, null);
        assertThat(noKey.status()).isEqualTo(401);
        Harness.Response unknown = Harness.call("DELETE", url + "/api/v1/workers/w-nobody", Harness.KEY, null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("error").get("code").asText()).isEqualTo("NOT_FOUND");

        Harness.Response revoked = Harness.call("DELETE", url + "/api/v1/workers/" + gone.id(), Harness.KEY, null);
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
        assertThat(revoked.json().get("released").asInt()).isEqualTo(4);
        assertThat(outcomes(url, job, gone.id())).containsOnly("RELEASED");
        assertThat(Harness.workers(url).get(gone.id()).get("errors").asLong()).isZero();

        Harness.Response refused = Harness.fetch(url, gone.token(), 1);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().get("error").get("code").asText()).isEqualTo("REVOKED");
        Harness.Registered other = Harness.register(url, "other", "primes");
        assertThat(take(url, other.token(), 4)).hasSize(4);
    }

    /**
     * A long-poll holds the worker record it authenticated with; a worker revoked (or blacklisted) while its fetch
     * waits must not be issued work when the poll wakes — nothing would release it before its deadline. Found with
     * real worker processes, whose work buffer keeps a fetch waiting while they report.
     */
    @Test
    void revokedWhileLongPolling_theWokenPollIssuesItNothing() throws Exception {
        String url = url();
        Harness.Registered gone = Harness.register(url, "polling", "primes");
        java.util.concurrent.CompletableFuture<Harness.Response> poll = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                Harness.call("POST", url + "/api/v1/work/fetch", gone.token(), "{\"max\":4,\"waitMs\":20000}", Duration.ofSeconds(40)));
        await().atMost(Duration.ofSeconds(20)).until(() ->
                Harness.call("GET", url + "/metrics", null, null).body().lines()
                        .anyMatch(l -> l.startsWith("enjambre_http_longpolls") && !l.endsWith(" 0.0")));
        assertThat(Harness.call("DELETE", url + "/api/v1/workers/" + gone.id(), Harness.KEY, null).status()).isEqualTo(200);

        String job = Harness.submit(url, Harness.primesSpec(2, 100_000, 4, 1, 1, LONG_DEADLINE));
        Harness.Response answer = poll.get(40, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(answer.status()).as(answer.body()).isEqualTo(401);
        assertThat(answer.json().get("error").get("code").asText()).isEqualTo("REVOKED");
        assertThat(outcomes(url, job, gone.id())).as("replicas issued to the revoked worker").isEmpty();
        Harness.Registered other = Harness.register(url, "other", "primes");
        assertThat(take(url, other.token(), 4)).hasSize(4);
    }

    @Test
    void deregisteredWorker_releasesWhatItHeld_andItsTokenEnds() {
        String url = url();
        String job = Harness.submit(url, Harness.primesSpec(2, 100_000, 3, 1, 1, LONG_DEADLINE));
        Harness.Registered leaving = Harness.register(url, "leaving", "primes");
        assertThat(take(url, leaving.token(), 3)).hasSize(3);
        Harness.Response bye = Harness.call("POST", url + "/api/v1/workers/deregister", leaving.token(), "{}");
        assertThat(bye.status()).as(bye.body()).isEqualTo(200);
        assertThat(bye.json().get("released").asInt()).isEqualTo(3);
        assertThat(outcomes(url, job, leaving.id())).containsOnly("RELEASED");
        assertThat(Harness.call("POST", url + "/api/v1/work/sync", leaving.token(), "{\"holding\":[]}").json()
                .get("error").get("code").asText()).isEqualTo("REVOKED");
    }

    @Test
    void sync_releasesWhatTheWorkerNoLongerHolds_keepsTheRest() {
        String url = url();
        String job = Harness.submit(url, Harness.primesSpec(2, 100_000, 3, 1, 1, LONG_DEADLINE));
        Harness.Registered crashed = Harness.register(url, "crashed", "primes");
        List<String> ids = take(url, crashed.token(), 3);
        assertThat(ids).hasSize(3);
        Harness.Response sync = Harness.call("POST", url + "/api/v1/work/sync", crashed.token(),
                "{\"holding\":[\"" + ids.get(0) + "\",\"" + job + "/99/0\"]}");
        assertThat(sync.status()).as(sync.body()).isEqualTo(200);
        assertThat(sync.json().get("released").asInt()).isEqualTo(2);
        assertThat(outcomes(url, job, crashed.id())).containsExactlyInAnyOrder("NONE", "RELEASED", "RELEASED");
        // Synced again with the same list: nothing more to release.
        assertThat(Harness.call("POST", url + "/api/v1/work/sync", crashed.token(), "{\"holding\":[\"" + ids.get(0) + "\"]}")
                .json().get("released").asInt()).isZero();
        // The kept task is still its own: its report is accepted.
        Harness.Registered other = Harness.register(url, "other", "primes");
        assertThat(take(url, other.token(), 3)).hasSize(2);
    }

    @Test
    void sync_badInput_refusedNamingTheField_nothingReleased() {
        String url = url();
        String job = Harness.submit(url, Harness.primesSpec(2, 100_000, 1, 1, 1, LONG_DEADLINE));
        Harness.Registered w = Harness.register(url, "w", "primes");
        assertThat(take(url, w.token(), 1)).hasSize(1);
        StringBuilder many = new StringBuilder("{\"holding\":[");
        for (int i = 0; i <= 4096; i++) {
            many.append(i == 0 ? "" : ",").append("\"j/").append(i).append("/0\"");
        }
        Map<String, String> bad = Map.of(
                "{}", "holding",
                "{\"holding\":\"x\"}", "holding",
                "{\"holding\":[1]}", "holding[0]",
                "{\"holding\":[\"ok\",\"\"]}", "holding[1]",
                many + "]}", "holding");
        bad.forEach((body, field) -> {
            Harness.Response r = Harness.call("POST", url + "/api/v1/work/sync", w.token(), body);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.json().get("error").get("field").asText()).isEqualTo(field);
        });
        assertThat(Harness.call("POST", url + "/api/v1/work/sync", null, "{\"holding\":[]}").status()).isEqualTo(401);
        assertThat(outcomes(url, job, w.id())).containsOnly("NONE");
    }

    @Test
    void forgedSpotCheckId_refusedNotYours() {
        String url = url();
        Harness.Registered w = Harness.register(url, "forger", "primes");
        Harness.Response r = Harness.report(url, w.token(), Map.of("spot-made-up/1/0", "{\"count\":1}".getBytes()));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("accepted")).isEmpty();
        assertThat(r.json().get("rejected").get(0).get("code").asText()).isEqualTo("NOT_YOURS");
    }
}
