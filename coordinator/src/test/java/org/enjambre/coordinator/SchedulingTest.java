package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Which tasks a fetch hands out: higher priority first, shared between jobs of equal priority, one replica per worker. */
class SchedulingTest extends SwarmTest {

    @Test
    void fetch_rightAfterTheSubmitIsAnswered_getsTheNewJobsUnits() {
        // A job's units exist only implicitly until issued; the accepting peer indexes a small job before its 201,
        // so a fetch that does not wait at all still finds every unit (not only after the index caught up).
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        Harness.Registered w = Harness.register(url, "eager", "primes");
        for (int round = 0; round < 100; round++) {
            String id = Harness.submit(url, Harness.primesSpec(2, 100_000, 3, 1, 1, null));
            assertThat(jobsOf(Harness.fetch(url, w.token(), 8))).as("round %d", round).containsExactly(id, id, id);
        }
    }

    @Test
    void fetch_higherPriorityJobFirst_thenTheOther() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        String low = Harness.submit(url, Harness.primesSpec(2, 1_000_000, 10, 2, 2, "\"priority\":0"));
        String high = Harness.submit(url, Harness.primesSpec(2, 1_000_000, 10, 2, 2, "\"priority\":10"));
        Harness.Registered one = Harness.register(url, "one", "primes");
        Harness.Registered two = Harness.register(url, "two", "primes");

        assertThat(jobsOf(Harness.fetch(url, one.token(), 4))).containsOnly(high).hasSize(4);
        assertThat(jobsOf(Harness.fetch(url, two.token(), 4))).containsOnly(high).hasSize(4);
        // "one" may take one replica of each of the 6 high-priority units it has not got yet, then low-priority ones.
        assertThat(jobsOf(Harness.fetch(url, one.token(), 8)))
                .containsExactly(high, high, high, high, high, high, low, low);

        assertThat(Harness.job(url, high).get("state").asText()).isEqualTo("RUNNING");
        assertThat(Harness.job(url, high).get("tasks").get("issued").asInt()).isEqualTo(14);
        assertThat(Harness.job(url, low).get("tasks").get("issued").asInt()).isEqualTo(2);
    }

    @Test
    void fetch_equalPriority_sharedBetweenJobs() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        String first = Harness.submit(url, Harness.primesSpec(2, 1_000_000, 10, 2, 2, null));
        String second = Harness.submit(url, Harness.primesSpec(2, 1_000_000, 10, 2, 2, null));
        Harness.Registered one = Harness.register(url, "one", "primes");

        List<String> jobs = jobsOf(Harness.fetch(url, one.token(), 4));
        assertThat(jobs).hasSize(4);
        assertThat(jobs.stream().filter(first::equals).count()).isEqualTo(2);
        assertThat(jobs.stream().filter(second::equals).count()).isEqualTo(2);
    }

    @Test
    void fetch_workerWithoutTheApp_getsNothing() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        String id = Harness.submit(url, Harness.primesSpec(2, 1_000_000, 10, 2, 2, null));
        Harness.Registered other = Harness.register(url, "other", "collatz");

        Harness.Response r = Harness.fetch(url, other.token(), 4);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("tasks")).isEmpty();
        assertThat(Harness.job(url, id).get("state").asText()).isEqualTo("QUEUED");
    }

    @Test
    void fetch_longPoll_idleWorkerGetsNewWorkAtOnce() throws Exception {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        Harness.Registered idle = Harness.register(url, "idle", "primes");
        long start = System.nanoTime();
        CompletableFuture<Harness.Response> poll = CompletableFuture.supplyAsync(() ->
                Harness.call("POST", url + "/api/v1/work/fetch", idle.token(), "{\"max\":2,\"waitMs\":30000}"));
        // Once the peer noted the fetch (the worker's record changed), submit: the waiting fetch must wake up.
        await().atMost(Duration.ofSeconds(10)).until(() -> poll.isDone() || coordinator.workers().all().stream()
                .anyMatch(w -> w.id().equals(idle.id()) && w.version() > 1));
        assertThat(poll).isNotDone();
        String id = Harness.submit(url, Harness.primesSpec(2, 1_000_000, 10, 2, 2, null));

        Harness.Response r = poll.get(60, TimeUnit.SECONDS);
        assertThat(jobsOf(r)).containsExactly(id, id);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(25));
    }

    @Test
    void fetch_longPolls_aJobOfNUnitsWakesNWaitingWorkers() throws Exception {
        // Each ready unit wakes one waiting fetch: a burst of N fresh units must wake N of them, not one (the others
        // would sit out their 30 s wait, longer than this test waits for them). The woken fetches run together and
        // all see the same lowest ready keys: a fetch that lost one to another must take the next (it returned empty
        // and waited out its poll while 3 of 5 units stayed queued, before the Issuer skipped lost keys).
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        int n = 5;
        List<CompletableFuture<Harness.Response>> polls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Harness.Registered w = Harness.register(url, "waiting-" + i, "primes");
            polls.add(CompletableFuture.supplyAsync(() -> Harness.call("POST", url + "/api/v1/work/fetch", w.token(),
                    "{\"max\":1,\"waitMs\":30000}", Duration.ofSeconds(60))));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> coordinator.metrics().scrape()
                .contains("enjambre_http_longpolls{scope=\"peer\"} " + n + ".0"));
        String id = Harness.submit(url, Harness.primesSpec(2, 100_000, n, 1, 1, null));

        List<String> jobs = new ArrayList<>();
        for (CompletableFuture<Harness.Response> poll : polls) {
            jobs.addAll(jobsOf(poll.get(20, TimeUnit.SECONDS)));
        }
        assertThat(jobs).hasSize(n).containsOnly(id);
    }

    @Test
    void fetch_workerOnProbationWaits_itsReportWakesItsLongPoll() throws Exception {
        // A new worker may hold only 4 units of a spot-checked job (probation): with units still ready its next fetch
        // waits, and no new unit will signal it. Its report must wake it, or it sits out its poll (found with real
        // workers: 20 s polls, a quorum job's last 70 units ready meanwhile).
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        String id = Harness.submit(url, "{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":100000},\"workUnits\":20,"
                + "\"redundancy\":{\"replicas\":1,\"quorum\":1,\"spotCheckRate\":0.1}}");
        Harness.Registered w = Harness.register(url, "new", "primes");
        Map<String, byte[]> held = new HashMap<>();
        for (JsonNode t : Harness.fetch(url, w.token(), 10).json().get("tasks")) {
            held.put(t.get("id").asText(), TestWorker.output(t));
        }
        assertThat(held.keySet().stream().filter(k -> k.startsWith(id + "/"))).as("probation: 4 units").hasSize(4);
        // Fetch until it gets no more (the index learns of the issues a moment after they are made).
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode tasks = Harness.fetch(url, w.token(), 10).json().get("tasks");
            tasks.forEach(t -> held.put(t.get("id").asText(), TestWorker.output(t)));
            return tasks.isEmpty();
        });
        CompletableFuture<Harness.Response> poll = CompletableFuture.supplyAsync(() -> Harness.call("POST",
                url + "/api/v1/work/fetch", w.token(), "{\"max\":10,\"waitMs\":30000}", Duration.ofSeconds(60)));
        await().atMost(Duration.ofSeconds(20)).until(() -> coordinator.metrics().scrape()
                .contains("enjambre_http_longpolls{scope=\"peer\"} 1.0"));

        assertThat(Harness.report(url, w.token(), held).status()).isEqualTo(200);
        List<String> jobs = jobsOf(poll.get(20, TimeUnit.SECONDS)); // woken: before its 30 s wait ends
        assertThat(jobs).isNotEmpty().contains(id);
    }

    /** The job id of each task in a fetch answer, in order. */
    static List<String> jobsOf(Harness.Response fetch) {
        assertThat(fetch.status()).as(fetch.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        for (JsonNode t : fetch.json().get("tasks")) {
            String id = t.get("id").asText();
            out.add(id.substring(0, id.indexOf('/')));
        }
        return out;
    }

    @Test
    void fetch_largeInputs_cappedByBytes_restIssuedByLaterFetches() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        // Each unit's input is this plus "#i": about 250 kB, under the 256 KiB a unit may carry; 33 fit in 8 MiB.
        String big = "x".repeat(250_000);
        String id = Harness.submit(url, "{\"app\":\"noop\",\"input\":\"" + big + "\",\"workUnits\":80}");
        Harness.Registered w = Harness.register(url, "w", "noop");
        List<Integer> sizes = new ArrayList<>();
        for (int fetch = 0; fetch < 3; fetch++) {
            // A long-poll: it answers as soon as the job's units are ready (indexing a big job takes a moment).
            JsonNode tasks = Harness.call("POST", url + "/api/v1/work/fetch", w.token(), "{\"max\":256,\"waitMs\":20000}",
                    Duration.ofSeconds(30)).json().get("tasks");
            long bytes = 0;
            for (JsonNode t : tasks) {
                bytes += java.util.Base64.getDecoder().decode(t.get("input").asText()).length;
            }
            assertThat(bytes).isLessThanOrEqualTo(8L << 20);
            sizes.add(tasks.size());
        }
        assertThat(sizes).containsExactly(33, 33, 14); // the 8 MiB budget of a fetch, and every unit issued in the end
        assertThat(Harness.job(url, id).get("tasks").get("issued").asInt()).isEqualTo(80);
    }
}
