package org.enjambre.client;

import com.dylibso.chicory.wabt.Wat2Wasm;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.enjambre.client.LocalSwarm.PATIENCE;

/** The Java client against a real coordinator and two real workers, over HTTP. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EnjambreClientSwarmTest {
    @TempDir
    static Path dir;
    static LocalSwarm swarm;
    static EnjambreClient client;

    /** Far more work than any test waits for: it ends only by being cancelled. */
    static final JobSpec ENDLESS = JobSpec.builder("primes").name("endless").input(Map.of("from", 2, "to", 1_000_000_000))
            .workUnits(1000).priority(-10).build();

    @BeforeAll
    static void start() {
        Awaitility.setDefaultTimeout(PATIENCE);
        swarm = LocalSwarm.start(dir).withWorkers(2);
        client = swarm.client();
    }

    @AfterAll
    static void stop() {
        client.close();
        swarm.close();
        Awaitility.reset();
    }

    @Test
    void primesBelowTenMillion_watchedOverTheEventStream_complete_with664579() {
        JobSpec spec = JobSpec.builder("primes").name("primes below ten million").input(Map.of("from", 2, "to", 10_000_000))
                .workUnits(100).replicas(2).quorum(2).build();
        SubmittedJob submitted = client.submit(spec);
        assertThat(submitted.id()).matches("j-[0-9a-z]+");
        List<Job> seen = new CopyOnWriteArrayList<>();
        List<Integer> subscribers = new CopyOnWriteArrayList<>();

        Job last = client.watch(submitted.id(), Duration.ofSeconds(PATIENCE.toSeconds()), j -> {
            seen.add(j);
            subscribers.add(swarm.coordinator.events().subscriberCount());
        });

        assertThat(last.state()).isEqualTo(JobState.COMPLETED);
        assertThat(last.workUnits().done()).isEqualTo(100);
        assertThat(seen).hasSizeGreaterThanOrEqualTo(2).last().isEqualTo(last);
        List<Double> progress = seen.stream().map(Job::progress).toList();
        assertThat(progress).as("progress never goes back").isSorted();
        assertThat(progress.get(0)).isLessThan(1.0);
        assertThat(progress.get(progress.size() - 1)).isEqualTo(1.0);
        assertThat(subscribers.get(subscribers.size() - 1)).as("the final snapshot came over the event stream").isPositive();
        assertThat(client.result(submitted.id()).text()).isEqualTo("{\"count\":664579}");
        assertThat(client.jobs()).extracting(Job::id).contains(submitted.id());
        UnitPage page = client.units(submitted.id(), 10, 5);
        assertThat(page.total()).isEqualTo(100);
        assertThat(page.units()).extracting(u -> u.get("index").asInt()).containsExactly(10, 11, 12, 13, 14);
        assertThat(page.units()).allSatisfy(u -> assertThat(u.get("state").asText()).isEqualTo("DONE"));
    }

    @Test
    void resultTo_streamsTheResultIntoAFile() throws Exception {
        String id = client.submit(JobSpec.builder("primes").inputJson("{\"from\":2,\"to\":100000}").workUnits(4).build()).id();
        assertThat(client.await(id, PATIENCE).state()).isEqualTo(JobState.COMPLETED);

        Path file = dir.resolve("result.json");
        SavedResult saved = client.resultTo(id, file);

        assertThat(file).hasContent("{\"count\":9592}");
        assertThat(saved.size()).isEqualTo(Files.size(file));
        assertThat(saved.contentType()).startsWith("application/json");
    }

    @Test
    void badSpec_raisesBadRequestNamingTheField_andAddsNoJob() {
        int before = client.jobs().size();
        JobSpec bad = JobSpec.builder("primes").input(Map.of("from", 2, "to", 100)).workUnits(0).build();

        assertThatThrownBy(() -> client.submit(bad)).isInstanceOfSatisfying(BadRequestException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo("INVALID_SPEC");
            assertThat(e.field()).contains("workUnits");
            assertThat(e.getMessage()).contains("workUnits");
        });
        assertThat(client.jobs()).hasSize(before);
    }

    @Test
    void specFromJson_withAQuorumAboveReplicas_raisesBadRequestNamingRedundancyQuorum() {
        JobSpec bad = JobSpec.fromJson("{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":10},\"redundancy\":{\"replicas\":2,\"quorum\":3}}");
        assertThatThrownBy(() -> client.submit(bad)).isInstanceOfSatisfying(BadRequestException.class, e ->
                assertThat(e.field()).contains("redundancy.quorum"));
    }

    @Test
    void wrongApiKey_raisesUnauthorized_andNoKeyToo() {
        try (EnjambreClient wrong = swarm.client("not-the-key")) {
            assertThatThrownBy(() -> wrong.submit(ENDLESS)).isInstanceOfSatisfying(UnauthorizedException.class, e -> {
                assertThat(e.status()).isEqualTo(403);
                assertThat(e.code()).isEqualTo("FORBIDDEN");
            });
        }
        try (EnjambreClient none = swarm.client(null)) {
            assertThatThrownBy(() -> none.cancel("j-whatever")).isInstanceOfSatisfying(UnauthorizedException.class, e -> {
                assertThat(e.status()).isEqualTo(401);
                assertThat(e.code()).isEqualTo("UNAUTHENTICATED");
            });
        }
    }

    @Test
    void unknownJob_raisesNotFound() {
        assertThatThrownBy(() -> client.job("j-nosuchjob")).isInstanceOfSatisfying(NotFoundException.class, e ->
                assertThat(e.code()).isEqualTo("NOT_FOUND"));
    }

    @Test
    void uploadModule_returnsItsSha256_andAWasmJobRunsIt() throws Exception {
        byte[] module = Wat2Wasm.parse(Files.readString(Path.of(System.getProperty("basedir", "."), "..", "examples", "wasm", "primes.wat")));
        Path file = Files.write(dir.resolve("primes.wasm"), module);

        String sha = client.uploadModule(file);

        assertThat(sha).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(module)));
        JobSpec spec = JobSpec.builder("wasm").name("wasm primes").input(Map.of("range", Map.of("from", 0, "to", 100_000),
                "merge", "module", "contentType", "application/json")).wasmModule(sha).workUnits(4).build();
        String id = client.submit(spec).id();
        assertThat(client.await(id, PATIENCE).state()).isEqualTo(JobState.COMPLETED);
        assertThat(client.result(id).text()).isEqualTo("{\"count\":9592}");
    }

    @Test
    void dataFile_declaredAndUploadedInChunks_resumesWithoutResending_downloadsByteForByte_andAWrongChunkIsRefused() throws Exception {
        byte[] text = "one two three\nfour five\n".repeat(500).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int chunk = 4096;
        java.util.List<String> hashes = new java.util.ArrayList<>();
        for (int at = 0; at < text.length; at += chunk) {
            hashes.add(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(java.util.Arrays.copyOfRange(text, at, Math.min(text.length, at + chunk)))));
        }
        FileStatus declared = client.declareFile("words.txt", text.length, chunk, hashes);
        assertThat(declared.missing()).containsExactlyInAnyOrderElementsOf(new java.util.HashSet<>(hashes));
        assertThat(declared.complete()).isFalse();
        assertThatThrownBy(() -> client.putChunk(hashes.get(0), "not this chunk".getBytes()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.code()).isEqualTo("HASH_MISMATCH"));
        for (int i = 0; i < hashes.size(); i++) {
            client.putChunk(hashes.get(i), java.util.Arrays.copyOfRange(text, i * chunk, Math.min(text.length, (i + 1) * chunk)));
        }
        FileStatus done = client.declareFile("words.txt", text.length, chunk, hashes);
        assertThat(done.complete()).isTrue();
        assertThat(done.missing()).isEmpty();
        assertThat(done.id()).isEqualTo(declared.id());
        SavedResult copy = client.fileTo(done.id(), dir.resolve("words-copy.txt"));
        assertThat(Files.readAllBytes(copy.file())).isEqualTo(text);
    }

    @Test
    void uploadModule_ofBytesThatAreNoModule_raisesBadRequest() {
        assertThatThrownBy(() -> client.uploadModule("not webassembly".getBytes()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.code()).isEqualTo("INVALID_MODULE"));
    }

    @Test
    void workersAndCluster_listTheSwarm() {
        await().untilAsserted(() -> assertThat(client.workers()).extracting(Worker::name).contains("client-test-w0", "client-test-w1"));
        assertThat(client.cluster()).singleElement().satisfies(p -> assertThat(p.local()).isTrue());
    }

    /** Last: the workers go on computing the tasks of the cancelled job that they already hold. */
    @Test
    @Order(Integer.MAX_VALUE)
    void await_timesOutBeforeAnEndlessJobEnds_andCancelEndsIt_andItsResultIsRefused() {
        String id = client.submit(ENDLESS).id();

        assertThatThrownBy(() -> client.await(id, Duration.ofSeconds(1))).isInstanceOfSatisfying(JobTimeoutException.class, e -> {
            assertThat(e.job().id()).isEqualTo(id);
            assertThat(e.job().terminal()).isFalse();
        });

        assertThat(client.cancel(id).state()).isEqualTo(JobState.CANCELLED);
        Job cancelled = client.await(id, PATIENCE);
        assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
        assertThat(cancelled.failure()).isEqualTo("cancelled by a user");
        assertThatThrownBy(() -> client.result(id)).isInstanceOfSatisfying(ConflictException.class, e -> {
            assertThat(e.status()).isEqualTo(409);
            assertThat(e.code()).isEqualTo("NOT_COMPLETED");
        });
    }
}
