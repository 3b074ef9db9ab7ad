package org.enjambre.cli.e2e;

import com.dylibso.chicory.wabt.Wat2Wasm;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A wasm module reading uploaded files end to end: texts uploaded with {@code enjambre data upload} in 4 KiB chunks,
 * the example module {@code examples/wasm/wordcount.wat} uploaded with {@code enjambre module upload}, a job with one
 * unit per file plus a shared file computed by two real workers (quorum 2: byte-identical replicas), the known answer,
 * the same answer as the built-in wordcount app, and jobs naming unknown or incomplete files refused.
 */
class WasmFilesEndToEndTest {
    static final int CHUNK = 4096;

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

    private Cli.Run cli(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--coordinator", coordinator.url(), "--api-key", TestCoordinator.KEY));
        return Cli.run(all.toArray(String[]::new));
    }

    /** Uploads {@code paths} with the CLI in 4 KiB chunks; their ids in order. */
    private List<String> upload(Path... paths) {
        List<String> args = new ArrayList<>(List.of("data", "upload"));
        Arrays.stream(paths).forEach(p -> args.add(p.toString()));
        args.addAll(List.of("--chunk-kb", "4"));
        Cli.Run run = cli(args.toArray(String[]::new));
        assertThat(run.code()).as(run.err()).isZero();
        return run.out().lines().map(l -> l.split("\\s+")[0]).toList();
    }

    /** words, lines, bytes of a text as the example module and the wordcount app count them. */
    static long[] counts(String s) {
        long words = Arrays.stream(s.split("[ \\t\\n\\r\\f\\u000B]+")).filter(w -> !w.isEmpty()).count();
        return new long[] {words, s.chars().filter(c -> c == '\n').count(), s.getBytes(StandardCharsets.UTF_8).length};
    }

    private static String ids(List<String> ids) {
        return "[\"" + String.join("\",\"", ids) + "\"]";
    }

    @Test
    void wordcountModule_overUploadedFilesAndASharedOne_byRealWorkers_givesTheKnownAnswer() throws Exception {
        coordinator = TestCoordinator.start(dir.resolve("coordinator"), o -> o.chunkBytes(CHUNK));
        Path texts = Files.createDirectories(dir.resolve("texts"));
        List<String> contents = List.of(DataEndToEndTest.text(12000, 1), DataEndToEndTest.text(400, 2), "  one\ttwo\n\nthree  \n");
        Path[] paths = new Path[contents.size()];
        for (int i = 0; i < contents.size(); i++) {
            paths[i] = Files.writeString(texts.resolve("t" + i + ".txt"), contents.get(i));
        }
        assertThat(contents.get(0).length()).as("many chunks and more than the module reads at once (64 KiB): words cross both").isGreaterThan(16 * CHUNK);
        List<String> files = upload(paths);
        String sharedText = "shared words\nin every unit\n";
        String shared = upload(Files.writeString(dir.resolve("shared.txt"), sharedText)).get(0);

        byte[] module = Wat2Wasm.parse(Files.readString(Path.of(System.getProperty("basedir", "."), "..", "examples", "wasm",
                "wordcount.wat")));
        Path wasm = Files.write(dir.resolve("wordcount.wasm"), module);
        Cli.Run up = cli("module", "upload", wasm.toString());
        assertThat(up.code()).as(up.err()).isZero();
        String sha = up.out().strip();

        for (int i = 1; i <= 2; i++) {
            workers.start(TestWorkers.options(dir.resolve("worker-" + i), "reader-" + i, coordinator.url()).cacheMb(64).build());
        }
        String redundancy = "\"redundancy\":{\"replicas\":2,\"quorum\":2}";
        String job = coordinator.submit("{\"app\":\"wasm\",\"input\":{\"module\":\"" + sha + "\",\"files\":" + ids(files)
                + ",\"sharedFiles\":[\"" + shared + "\"],\"merge\":\"module\",\"contentType\":\"application/json\"}," + redundancy + "}");
        String plain = coordinator.submit("{\"app\":\"wasm\",\"input\":{\"module\":\"" + sha + "\",\"files\":" + ids(files)
                + ",\"merge\":\"module\",\"contentType\":\"application/json\"}," + redundancy + "}");
        String builtIn = coordinator.submit("{\"app\":\"wordcount\",\"input\":{\"files\":" + ids(files) + "}," + redundancy + "}");

        long[] want = new long[3];
        long[] sharedCounts = counts(sharedText);
        for (String c : contents) {
            long[] n = counts(c);
            for (int k = 0; k < 3; k++) {
                want[k] += n[k] + sharedCounts[k]; // every unit reads its file and the shared one
            }
        }
        coordinator.awaitJob(job, "COMPLETED");
        assertThat(coordinator.result(job)).isEqualTo("{\"words\":" + want[0] + ",\"lines\":" + want[1] + ",\"bytes\":" + want[2]
                + ",\"files\":3}");
        Set<String> ran = new HashSet<>();
        for (JsonNode unit : coordinator.units(job)) {
            assertThat(unit.get("state").asText()).isEqualTo("DONE");
            assertThat(unit.get("replicas")).as("%s", unit).hasSize(2)
                    .allSatisfy(r -> assertThat(r.get("validate").asText()).isEqualTo("VALID"));
            unit.get("replicas").forEach(r -> ran.add(r.get("worker").asText()));
        }
        assertThat(ran).as("both workers computed every unit, byte for byte alike").hasSize(2);

        coordinator.awaitJob(plain, "COMPLETED");
        coordinator.awaitJob(builtIn, "COMPLETED");
        assertThat(coordinator.result(plain)).as("the module counts as the built-in app does").isEqualTo(coordinator.result(builtIn));
        for (int i = 1; i <= 2; i++) {
            long chunks = TestWorkers.files(dir.resolve("worker-" + i), "chunks").stream()
                    .filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}")).count();
            assertThat(chunks).as("every text's chunks and the shared file's, each fetched once into the cache")
                    .isEqualTo(contents.stream().mapToLong(c -> (c.length() + CHUNK - 1) / CHUNK).sum() + 1);
        }
    }

    @Test
    void jobNamingAnUnknownOrIncompleteFile_isRefusedNamingTheField() {
        coordinator = TestCoordinator.start(dir.resolve("coordinator"), o -> o.chunkBytes(CHUNK));
        byte[] module = Wat2Wasm.parse("(module (memory (export \"memory\") 1) (func (export \"alloc\") (param i32) (result i32)"
                + " (i32.const 1024)) (func (export \"run\") (param i32 i32) (result i64) (i64.const 0)))");
        TestCoordinator.Response m = coordinator.send("POST", "/api/v1/modules", module, "application/wasm", TestCoordinator.KEY);
        assertThat(m.status()).as(m.body()).isEqualTo(201);
        String sha = m.json().get("sha256").asText();
        TestCoordinator.Response declared = coordinator.call("POST", "/api/v1/files", "{\"name\":\"half.txt\",\"size\":5,"
                + "\"chunks\":[\"" + "e".repeat(64) + "\"]}");
        assertThat(declared.status()).as(declared.body()).isEqualTo(200);
        String incomplete = declared.json().get("id").asText();
        String unknown = "d".repeat(64);

        TestCoordinator.Response r = coordinator.call("POST", "/api/v1/jobs", "{\"app\":\"wasm\",\"input\":{\"module\":\"" + sha
                + "\",\"range\":{\"from\":0,\"to\":10},\"sharedFiles\":[\"" + unknown + "\"]}}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("UNKNOWN_FILE");
        assertThat(r.json().at("/error/field").asText()).isEqualTo("input.sharedFiles[0]");

        r = coordinator.call("POST", "/api/v1/jobs", "{\"app\":\"wasm\",\"input\":{\"module\":\"" + sha + "\",\"files\":[\""
                + incomplete + "\",\"" + incomplete + "\"]}}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("FILE_INCOMPLETE");
        assertThat(r.json().at("/error/field").asText()).isEqualTo("input.files[0]");
        assertThat(coordinator.call("GET", "/api/v1/jobs", null).json().path("jobs")).as("no job was made").isEmpty();
    }
}
