package org.enjambre.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.worker.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Locality scheduling end to end: two real workers, each of which read half of twenty uploaded text files in an
 * earlier job (one at a time, a restart in between: the cached-file list survives it), then a wordcount job over all
 * twenty with both running. Asserted on the coordinator's view of which worker got which unit when: a worker got a
 * unit of a file it did not cache only once every unit of the files it cached had gone out, and the
 * {@code enjambre_locality_hits_total} metric counts exactly the units that went to the worker caching their file.
 */
class LocalityEndToEndTest {
    static final int FILES = 20;

    @TempDir
    Path dir;
    TestCoordinator coordinator;
    final TestWorkers workers = new TestWorkers();

    @AfterEach
    void stop() {
        workers.close();
        if (coordinator != null) {
            coordinator.close();
        }
    }

    private Worker start(String name) {
        return workers.start(TestWorkers.options(dir.resolve(name), name, coordinator.url()).cacheMb(64).build());
    }

    /** A completed quorum-1 wordcount job over {@code ids}; its id. */
    private String wordcount(List<String> ids) {
        String job = coordinator.submit("{\"app\":\"wordcount\",\"input\":{\"files\":[\"" + String.join("\",\"", ids)
                + "\"]},\"redundancy\":{\"replicas\":1,\"quorum\":1}}");
        coordinator.awaitJob(job, "COMPLETED");
        return job;
    }

    /** Unit index → the worker id of its one replica, and its send time. */
    private record Sent(String worker, Instant at) {
    }

    private Map<Integer, Sent> sent(String job) {
        Map<Integer, Sent> out = new TreeMap<>();
        for (JsonNode u : coordinator.units(job)) {
            JsonNode r = u.get("replicas").get(0);
            out.put(u.get("index").asInt(), new Sent(r.get("worker").asText(), Instant.parse(r.get("sentAt").asText())));
        }
        return out;
    }

    private double hits() {
        return coordinator.call("GET", "/metrics", null).body().lines().filter(l -> l.startsWith("enjambre_locality_hits_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void workersPreferUnitsOfTheFilesTheyCache_andGetOthersOnlyWhenNoneIsLeft() throws Exception {
        coordinator = TestCoordinator.start(dir.resolve("coordinator"), o -> o.chunkBytes(DataEndToEndTest.CHUNK));
        Path texts = Files.createDirectories(dir.resolve("texts"));
        for (int i = 0; i < FILES; i++) {
            Files.writeString(texts.resolve(String.format("t%02d.txt", i)), DataEndToEndTest.text(300 + 37 * i, i));
        }
        Cli.Run up = Cli.run("data", "upload", texts.toString(), "--coordinator", coordinator.url(), "--api-key",
                TestCoordinator.KEY, "--chunk-kb", "4");
        assertThat(up.code()).as(up.err()).isZero();
        Map<String, String> idOf = new HashMap<>(); // file name → id
        up.out().lines().forEach(l -> idOf.put(Path.of(l.split("\\s+")[1]).getFileName().toString(), l.split("\\s+")[0]));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            ids.add(idOf.get(String.format("t%02d.txt", i)));
        }

        // Worker a alone reads files 0-9, then stops; worker b alone reads files 10-19; then a comes back.
        Worker a = start("a");
        JsonNode first = TestCoordinator.JSON.readTree(coordinator.result(wordcount(ids.subList(0, 10))));
        String aId = a.workerId().orElseThrow();
        assertThat(a.stop(Duration.ofSeconds(10))).isTrue();
        Worker b = start("b");
        JsonNode second = TestCoordinator.JSON.readTree(coordinator.result(wordcount(ids.subList(10, 20))));
        String bId = b.workerId().orElseThrow();
        // b restarts too: a fetch names the files cached when it was sent, and b's last fetch, a long-poll sent while
        // its units still ran, would otherwise take the next job's units with a stale (empty) list (engineering notes).
        assertThat(b.stop(Duration.ofSeconds(10))).isTrue();
        Worker again = start("a");
        Worker bAgain = start("b");
        await().atMost(TestCoordinator.PATIENCE).until(() -> again.workerId().isPresent() && bAgain.workerId().isPresent());
        assertThat(again.workerId()).as("the same worker, its identity kept in its data directory").hasValue(aId);
        assertThat(bAgain.workerId()).hasValue(bId);
        assertThat(hits()).as("each file read once so far").isZero();

        // Both run a job over all twenty files, interleaved: the job's own order alternates between their files.
        List<String> mixed = new ArrayList<>();
        Map<Integer, String> cachedBy = new HashMap<>(); // unit index of the mixed job → the worker that cached its file
        for (int i = 0; i < 10; i++) {
            cachedBy.put(mixed.size(), aId);
            mixed.add(ids.get(i));
            cachedBy.put(mixed.size(), bId);
            mixed.add(ids.get(10 + i));
        }
        String job = wordcount(mixed);
        JsonNode result = TestCoordinator.JSON.readTree(coordinator.result(job));
        for (String field : List.of("words", "lines", "bytes")) {
            assertThat(result.get(field).asLong()).as(field).isEqualTo(first.get(field).asLong() + second.get(field).asLong());
        }

        Map<Integer, Sent> sent = sent(job);
        assertThat(sent).hasSize(FILES);
        long matched = 0;
        for (String w : Set.of(aId, bId)) {
            Instant lastOwn = sent.entrySet().stream().filter(e -> cachedBy.get(e.getKey()).equals(w))
                    .map(e -> e.getValue().at()).max(Instant::compareTo).orElseThrow();
            for (Map.Entry<Integer, Sent> e : sent.entrySet()) {
                if (e.getValue().worker().equals(w) && !cachedBy.get(e.getKey()).equals(w)) {
                    assertThat(e.getValue().at()).as("unit %d of a file %s did not cache went to it before every unit of"
                            + " its own files had gone out: %s", e.getKey(), w, sent).isAfterOrEqualTo(lastOwn);
                }
            }
        }
        for (Map.Entry<Integer, Sent> e : sent.entrySet()) {
            matched += e.getValue().worker().equals(cachedBy.get(e.getKey())) ? 1 : 0;
        }
        assertThat(hits()).as("the metric counts the units that went to the worker caching their file (a %s, b %s): %s", aId, bId, sent)
                .isEqualTo(matched);
        // At most one worker ran out of its own units, and that only after the other's had all gone out.
        assertThat(matched).as("units that went to the worker caching their file: %s", sent).isGreaterThanOrEqualTo(10);
    }
}
