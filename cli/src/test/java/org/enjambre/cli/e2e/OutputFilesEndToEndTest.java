package org.enjambre.cli.e2e;

import com.dylibso.chicory.wabt.Wat2Wasm;
import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.data.Hashes;
import org.enjambre.worker.Sabotage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Outputs as files end to end (README, "Outputs as files"): a wasm job whose units' outputs exceed the coordinator's
 * threshold, computed by real workers over HTTP that upload each output as a content-addressed file and report its id;
 * a saboteur's different bytes lose the vote by hash; the merged result, streamed from the files in unit order (and by
 * range), is the expected bytes.
 */
class OutputFilesEndToEndTest {
    static final int CHUNK = 16 << 10;
    static final int THRESHOLD = 64 << 10;
    /** Each unit's output is its input repeated this many times. */
    static final int REPEAT = 256;

    /** run(ptr, len): the input repeated {@link #REPEAT} times, written after the heap. */
    static final String REPEATER = """
            (module
              (memory (export "memory") 1)
              (global $heap (mut i32) (i32.const 1024))
              (func $ensure (param $end i32) (local $pages i32)
                (local.set $pages (i32.sub (i32.shr_u (i32.add (local.get $end) (i32.const 65535)) (i32.const 16)) (memory.size)))
                (if (i32.gt_s (local.get $pages) (i32.const 0)) (then (drop (memory.grow (local.get $pages))))))
              (func (export "alloc") (param $n i32) (result i32) (local $p i32)
                (local.set $p (global.get $heap))
                (global.set $heap (i32.add (global.get $heap) (local.get $n)))
                (call $ensure (global.get $heap))
                (local.get $p))
              (func (export "run") (param $ptr i32) (param $len i32) (result i64) (local $out i32) (local $i i32) (local $k i32)
                (local.set $out (global.get $heap))
                (call $ensure (i32.add (local.get $out) (i32.mul (local.get $len) (i32.const 256))))
                (block $done (loop $next
                  (br_if $done (i32.ge_u (local.get $i) (i32.mul (local.get $len) (i32.const 256))))
                  (i32.store8 (i32.add (local.get $out) (local.get $i))
                    (i32.load8_u (i32.add (local.get $ptr) (i32.rem_u (local.get $i) (local.get $len)))))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br $next)))
                (i64.or (i64.shl (i64.extend_i32_u (local.get $out)) (i64.const 32))
                        (i64.extend_i32_u (i32.mul (local.get $len) (i32.const 256))))))
            """;

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

    /** Unit {@code i}'s input: {@code bytes} printable bytes that differ from unit to unit. */
    static String input(int i, int bytes) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < bytes) {
            sb.append("unit").append(i).append(':').append(sb.length() * 31 % 997).append(' ');
        }
        return sb.substring(0, bytes);
    }

    /** What the module outputs for a unit whose {@code inputs} entry is {@code input} (it receives the JSON string). */
    static byte[] repeated(String input) {
        byte[] in = ("\"" + input + "\"").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[in.length * REPEAT];
        for (int i = 0; i < out.length; i++) {
            out[i] = in[i % in.length];
        }
        return out;
    }

    static String sha(byte[] bytes) throws Exception {
        return Hashes.hex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static String fileId(byte[] bytes) throws Exception {
        List<String> chunks = new ArrayList<>();
        for (int from = 0; from < bytes.length; from += CHUNK) {
            chunks.add(Hashes.hex(MessageDigest.getInstance("SHA-256").digest(Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + CHUNK)))));
        }
        return Hashes.fileId(chunks);
    }

    private String uploadModule() {
        TestCoordinator.Response r = coordinator.send("POST", "/api/v1/modules", Wat2Wasm.parse(REPEATER), "application/wasm", TestCoordinator.KEY);
        assertThat(r.status()).as(r.body()).isIn(200, 201);
        return r.json().get("sha256").asText();
    }

    @Test
    void largeOutputs_uploadedAsFiles_saboteurLosesByHash_resultStreamedInUnitOrder() throws Exception {
        coordinator = TestCoordinator.start(dir.resolve("coordinator"), o -> o.chunkBytes(CHUNK).outputFiles(THRESHOLD, 8L << 20));
        String module = uploadModule();
        // Six units: 1 KiB inputs give ~256 KiB outputs (files of 17 chunks); unit 3's 40 bytes give ~10 KiB (inline).
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            inputs.add(input(i, i == 3 ? 40 : 1024));
        }
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        inputs.forEach(in -> expected.writeBytes(repeated(in)));

        String job = coordinator.submit("{\"app\":\"wasm\",\"input\":{\"module\":\"" + module + "\",\"inputs\":"
                + TestCoordinator.JSON.writeValueAsString(inputs) + ",\"merge\":\"concat\"},"
                + "\"redundancy\":{\"replicas\":2,\"quorum\":2,\"maxResults\":6}}");
        // The first worker alone reports one replica of every unit (placement keeps it from a second one)...
        workers.start(TestWorkers.options(dir.resolve("worker-1"), "honest-1", coordinator.url()).build());
        await().atMost(TestCoordinator.PATIENCE).until(() -> coordinator.job(job).at("/tasks/reported").asInt() >= inputs.size());
        // ...then a saboteur flipping one byte of each output reports the other replica of every unit (disagreeing)...
        org.enjambre.worker.Worker saboteur = workers.start(TestWorkers.options(dir.resolve("saboteur"), "saboteur", coordinator.url())
                .sabotage(new Sabotage(1.0, false)).build());
        await().atMost(TestCoordinator.PATIENCE).until(() -> coordinator.job(job).at("/tasks/reported").asInt() >= 2 * inputs.size());
        // ...and a second honest worker, whose outputs are all stored already, settles every vote.
        workers.start(TestWorkers.options(dir.resolve("worker-2"), "honest-2", coordinator.url()).build());
        coordinator.awaitJob(job, "COMPLETED");

        TestCoordinator.Response result = coordinator.call("GET", "/api/v1/jobs/" + job + "/result", null);
        assertThat(result.status()).isEqualTo(200);
        assertThat(sha(result.bytes())).as("the outputs joined in unit order, %d bytes", result.bytes().length)
                .isEqualTo(sha(expected.toByteArray()));
        assertThat(result.headers().firstValue("Content-Length")).hasValue(Long.toString(expected.size()));

        // A range across unit 2's file, unit 3's inline bytes and unit 4's file.
        long unit = repeated(inputs.get(0)).length;
        long from = 2 * unit + 1000;
        long to = 4 * unit - 1000;
        HttpResponse<byte[]> part = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(coordinator.url() + "/api/v1/jobs/" + job + "/result"))
                .header("Authorization", "Bearer " + TestCoordinator.KEY).header("Range", "bytes=" + from + "-" + to).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(sha(part.body())).isEqualTo(sha(Arrays.copyOfRange(expected.toByteArray(), (int) from, (int) to + 1)));

        int saboteurLost = 0;
        for (JsonNode u : coordinator.units(job)) {
            int i = u.get("index").asInt();
            JsonNode canonical = u.get("replicas").get(u.get("canonical").asInt());
            if (i == 3) {
                assertThat(canonical.has("outputFile")).as("a small output stays inline").isFalse();
            } else {
                assertThat(canonical.get("outputFile").asText()).as("unit %d's canonical output is its content hash", i)
                        .isEqualTo(fileId(repeated(inputs.get(i))));
            }
            for (JsonNode r : u.get("replicas")) {
                if (r.get("worker").asText().equals(saboteur.workerId().orElseThrow())) {
                    assertThat(r.get("validate").asText()).as("the saboteur's replica of unit %d", i).isEqualTo("INVALID");
                    saboteurLost++;
                }
            }
        }
        assertThat(saboteurLost).as("the saboteur lost the vote on every unit").isEqualTo(inputs.size());
        assertThat(coordinator.requests("PUT", "/api/v1/chunks/:sha", 200))
                .as("no chunk was sent twice: a second replica with the same bytes uploads nothing").isZero();
        Set<String> honestChunks = new HashSet<>();
        for (int i = 0; i < inputs.size(); i++) {
            byte[] out = repeated(inputs.get(i));
            for (int at = 0; i != 3 && at < out.length; at += CHUNK) {
                honestChunks.add(sha(Arrays.copyOfRange(out, at, Math.min(out.length, at + CHUNK))));
            }
        }
        assertThat(coordinator.requests("PUT", "/api/v1/chunks/:sha", 201))
                .as("the honest outputs' chunks once, and one new chunk (its flipped byte's) per sabotaged output file")
                .isEqualTo(honestChunks.size() + inputs.size() - 1L);

        // enjambre result JOB --output DIR: the merged result, checked chunk by chunk, as DIR/JOB.bin.
        Path downloads = java.nio.file.Files.createDirectories(dir.resolve("downloads"));
        Cli.Run run = Cli.run("result", job, "--output", downloads.toString(), "--coordinator", coordinator.url(),
                "--api-key", TestCoordinator.KEY);
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.err()).contains("result " + job).contains("100%");
        assertThat(sha(java.nio.file.Files.readAllBytes(downloads.resolve(job + ".bin")))).isEqualTo(sha(expected.toByteArray()));

        // A chunk of unit 4's output file damaged on the coordinator's disk: the download fails and leaves no file.
        String chunk4 = sha(Arrays.copyOfRange(repeated(inputs.get(4)), CHUNK, 2 * CHUNK));
        Path stored;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(coordinator.dataDir().resolve("chunks"))) {
            stored = files.filter(p -> p.getFileName().toString().equals(chunk4)).findFirst().orElseThrow();
        }
        byte[] damaged = java.nio.file.Files.readAllBytes(stored);
        damaged[100] ^= 1;
        java.nio.file.Files.write(stored, damaged);
        Path target = dir.resolve("result.bin");
        Cli.Run bad = Cli.run("result", job, "--output", target.toString(), "--coordinator", coordinator.url(),
                "--api-key", TestCoordinator.KEY);
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("do not match their SHA-256 " + chunk4);
        assertThat(target).doesNotExist();
    }

    @Test
    void diskFullDuringAnOutputUpload_nothingReported_resultKeptAndReportedWithTheSameBytesAfterRestarts() throws Exception {
        // Room for four chunks: a 17-chunk output cannot be stored whole.
        coordinator = TestCoordinator.start(dir.resolve("coordinator"), o -> o.chunkBytes(CHUNK).outputFiles(THRESHOLD, 8L << 20)
                .dataQuotaBytes(4L * CHUNK));
        String module = uploadModule();
        String input = input(0, 1024);
        String job = coordinator.submit("{\"app\":\"wasm\",\"input\":{\"module\":\"" + module + "\",\"inputs\":[\"" + input
                + "\"],\"merge\":\"concat\"},\"redundancy\":{\"replicas\":1,\"quorum\":1}}");
        Path data = dir.resolve("worker");
        workers.start(TestWorkers.options(data, "uploader", coordinator.url()).build());

        await().atMost(TestCoordinator.PATIENCE).until(() -> coordinator.requests("PUT", "/api/v1/chunks/:sha", 503) >= 1);
        String task = job + "/0/0";
        assertThat(TestWorkers.unreported(data)).as("the finished result stays in the worker's journal").containsExactly(task);
        assertThat(coordinator.requests("POST", "/api/v1/work/report", 200)).as("never reported half-uploaded").isZero();
        JsonNode replica = coordinator.units(job).get(0).get("replicas").get(0);
        assertThat(replica.get("state").asText()).isEqualTo("IN_PROGRESS");
        TestCoordinator.Response file = coordinator.call("GET", "/api/v1/files/" + fileId(repeated(input)), null);
        assertThat(file.status()).as(file.body()).isEqualTo(200);
        assertThat(file.json().get("complete").asBoolean()).as("declared, never complete: no job result names it").isFalse();
        assertThat(coordinator.job(job).get("state").asText()).isEqualTo("RUNNING");

        // kill -9 of the worker; the coordinator comes back on its data and port with room; the worker restarts on its
        // data: the journal's result is reported before any fetch (inline: no threshold told yet), stored as a file by
        // the coordinator, and is the unit's output, byte for byte.
        workers.close();
        coordinator.stop();
        coordinator.startAgain(o -> o.chunkBytes(CHUNK).outputFiles(THRESHOLD, 8L << 20));
        workers.start(TestWorkers.options(data, "uploader", coordinator.url()).build());
        coordinator.awaitJob(job, "COMPLETED");
        assertThat(coordinator.units(job).get(0).at("/replicas/0/outputFile").asText()).isEqualTo(fileId(repeated(input)));
        TestCoordinator.Response result = coordinator.call("GET", "/api/v1/jobs/" + job + "/result", null);
        assertThat(sha(result.bytes())).isEqualTo(sha(repeated(input)));
    }
}
