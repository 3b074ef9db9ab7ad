package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.jobs.JobSpecs;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.spec.Redundancy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Locality scheduling in the issuer, over in-memory tables: units reading files a worker caches go to it first. */
class LocalityTest {
    private final InMemoryPeer peer = new InMemoryPeer();

    /** File id number {@code i} (64 hex digits). */
    static String file(int i) {
        return String.format("%064x", 0xf11e0000L + i);
    }

    /** A queued wordcount job over files {@code first .. first+n-1}, optionally with a shared stopword file. */
    private JobRecord wordcount(int first, int n, int priority, String redundancy, String stopwords) {
        String id = "j-" + UUID.randomUUID();
        List<String> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            files.add("\"" + file(first + i) + "\"");
        }
        String spec = "{\"input\":{\"files\":[" + String.join(",", files) + "]" + (stopwords == null ? "" : ",\"stopwords\":\""
                + stopwords + "\"") + "},\"workUnits\":" + n + ",\"deadlineSeconds\":60,\"redundancy\":" + redundancy + "}";
        JobRecord job = new JobRecord(id, "test", "wordcount", spec, n, priority, JobState.QUEUED, peer.clock.millis(), 0, 0,
                null, null, 0);
        peer.jobs.put(job);
        Redundancy r = JobSpecs.of(job).redundancy();
        for (int i = 0; i < n; i++) {
            peer.units.put(WorkUnit.create(id, i, r));
        }
        return job;
    }

    private WorkerRecord worker(String id) {
        return peer.worker(id, "acct-" + id, List.of("wordcount", "noop"));
    }

    private List<String> fetch(WorkerRecord w, int max, List<String> cached) {
        return peer.scheduler().issuer().fetch(peer.now(w), max, Issuer.DEFAULT_FETCH_BYTES, VisitPlanner.Fit.ANY, cached)
                .stream().map(Scheduler.Assignment::id).toList();
    }

    private double hits() {
        return peer.metrics.scrape().lines().filter(l -> l.startsWith("enjambre_locality_hits_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void fetch_cachedFiles_unitsReadingThemFirst_newestFileFirst_thenJobOrder() {
        JobRecord job = wordcount(0, 10, 0, InMemoryPeer.quorum(1), null);
        List<String> tasks = fetch(worker("w1"), 4, List.of(file(7), file(99), file(3)));
        assertThat(tasks).containsExactly(job.id() + "/7/0", job.id() + "/3/0", job.id() + "/0/0", job.id() + "/1/0");
        assertThat(hits()).isEqualTo(2);
    }

    @Test
    void fetch_nothingCached_jobOrderAsWithoutLocality() {
        JobRecord job = wordcount(0, 10, 0, InMemoryPeer.quorum(1), null);
        assertThat(fetch(worker("w1"), 3, List.of())).containsExactly(job.id() + "/0/0", job.id() + "/1/0", job.id() + "/2/0");
        assertThat(fetch(worker("w2"), 2, List.of(file(500)))).as("cached files no unit reads")
                .containsExactly(job.id() + "/3/0", job.id() + "/4/0");
        assertThat(hits()).isZero();
    }

    @Test
    void fetch_cachedFileOfAUnitTheWorkerAlreadyHolds_notGivenAgain_placementFirst() {
        JobRecord job = wordcount(0, 4, 0, InMemoryPeer.quorum(2), null);
        WorkerRecord w1 = worker("w1");
        assertThat(fetch(w1, 1, List.of(file(2)))).containsExactly(job.id() + "/2/0");
        // Unit 2 still needs a replica, but not from w1: w1 gets the job's order instead.
        assertThat(fetch(w1, 1, List.of(file(2)))).containsExactly(job.id() + "/0/0");
        // Another worker caching file 2 gets unit 2's second replica first.
        assertThat(fetch(worker("w2"), 1, List.of(file(2)))).containsExactly(job.id() + "/2/1");
    }

    @Test
    void fetch_sharedFileCached_givesNoPreference() {
        String stop = file(1000);
        JobRecord job = wordcount(0, 5, 0, InMemoryPeer.quorum(1), stop);
        assertThat(fetch(worker("w1"), 2, List.of(stop, file(4)))).as("every unit reads the stopword file")
                .containsExactly(job.id() + "/4/0", job.id() + "/0/0");
        assertThat(hits()).isEqualTo(1);
    }

    @Test
    void fetch_preferredUnitsOfOneJob_doNotTakeTheShareOfAnEqualPriorityJob() {
        JobRecord a = wordcount(0, 6, 0, InMemoryPeer.quorum(1), null);
        JobRecord b = wordcount(100, 6, 0, InMemoryPeer.quorum(1), null);
        List<String> tasks = fetch(worker("w1"), 4, List.of(file(0), file(1), file(2), file(3), file(4)));
        assertThat(tasks).filteredOn(t -> t.startsWith(a.id() + "/")).hasSize(2);
        assertThat(tasks).filteredOn(t -> t.startsWith(b.id() + "/")).hasSize(2);
    }

    @Test
    void fetch_higherPriorityJobWithoutCachedFiles_stillServedFirst() {
        JobRecord low = wordcount(0, 4, 0, InMemoryPeer.quorum(1), null);
        JobRecord high = peer.job(2, 5, InMemoryPeer.quorum(1), 60);
        assertThat(fetch(worker("w1"), 3, List.of(file(3))))
                .containsExactly(high.id() + "/0/0", high.id() + "/1/0", low.id() + "/3/0");
    }

    @Test
    void build_fileReadByManyUnits_orByEveryUnit_isLeftOut() {
        var app = AppRegistry.builtIns().get("wordcount");
        JobRecord job = wordcount(0, 3, 0, InMemoryPeer.quorum(1), file(9));
        var map = Locality.build(app, JobSpecs.of(job), 3);
        assertThat(map).containsOnlyKeys(file(0), file(1), file(2));
        assertThat(map.get(file(1))).containsExactly(1);
        // 600 units over two files: each read by 300 units, more than a fetch should scan for one file.
        StringBuilder files = new StringBuilder();
        for (int i = 0; i < 600; i++) {
            files.append(i == 0 ? "\"" : ",\"").append(i % 2 == 0 ? file(0) : i == 1 ? file(2) : file(1)).append('"');
        }
        JobSpecs.Parsed many = new JobSpecs.Parsed(org.enjambre.coordinator.store.Json.MAPPER.createObjectNode()
                .set("files", org.enjambre.coordinator.store.Json.MAPPER.valueToTree(
                        java.util.Arrays.stream(files.toString().split(",")).map(f -> f.replace("\"", "")).toList())),
                Redundancy.DEFAULT, null, 600, 60_000);
        assertThat(Locality.build(app, many, 600)).containsOnlyKeys(file(2));
        JobRecord noFiles = peer.job(3, 0, InMemoryPeer.quorum(1), 60);
        assertThat(Locality.build(AppRegistry.builtIns().get("noop"), JobSpecs.of(noFiles), 3)).isEmpty();
    }
}
