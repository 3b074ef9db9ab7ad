package org.enjambre.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Data end to end: text files uploaded with {@code enjambre data upload} (resuming an interrupted upload), a
 * {@code wordcount} job over them computed by two real workers that fetch, verify and cache the chunks, and the
 * known answer.
 */
class DataEndToEndTest {
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

    /** Text with {@code words} words on lines of 7, some separated by tabs and runs of spaces. */
    static String text(int words, int seed) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            sb.append("mot").append((i * 7919 + seed) % 1009).append(i % 7 == 6 ? "\n" : i % 5 == 0 ? "\t  " : " ");
        }
        return sb.toString();
    }

    private Cli.Run cli(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--coordinator", coordinator.url(), "--api-key", TestCoordinator.KEY, "--chunk-kb", "4"));
        return Cli.run(all.toArray(String[]::new));
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void upload_resumesAnInterruptedOne_thenWordcountJobByRealWorkers_givesTheKnownAnswer() throws Exception {
        coordinator = TestCoordinator.start(dir.resolve("coordinator"), o -> o.chunkBytes(CHUNK));
        Path texts = Files.createDirectories(dir.resolve("texts"));
        Map<Path, String> contents = new LinkedHashMap<>();
        contents.put(texts.resolve("a.txt"), text(5000, 1)); // ~40 KB: ten chunks
        contents.put(texts.resolve("b.txt"), text(300, 2));
        contents.put(texts.resolve("c.txt"), "  one\ttwo\n\nthree  \n");
        for (Map.Entry<Path, String> e : contents.entrySet()) {
            Files.writeString(e.getKey(), e.getValue());
        }

        // An upload of a.txt that died after its first two chunks (declared, two chunks sent).
        byte[] a = Files.readAllBytes(texts.resolve("a.txt"));
        int aChunks = (a.length + CHUNK - 1) / CHUNK;
        StringBuilder hashes = new StringBuilder();
        for (int i = 0; i < aChunks; i++) {
            hashes.append(i == 0 ? "\"" : ",\"").append(sha(Arrays.copyOfRange(a, i * CHUNK, Math.min(a.length, (i + 1) * CHUNK)))).append('"');
        }
        assertThat(coordinator.call("POST", "/api/v1/files", "{\"name\":\"a.txt\",\"size\":" + a.length + ",\"chunkSize\":" + CHUNK
                + ",\"chunks\":[" + hashes + "]}").status()).isEqualTo(200);
        for (int i = 0; i < 2; i++) {
            byte[] c = Arrays.copyOfRange(a, i * CHUNK, (i + 1) * CHUNK);
            assertThat(coordinator.send("PUT", "/api/v1/chunks/" + sha(c), c, "application/octet-stream", TestCoordinator.KEY).status())
                    .isEqualTo(201);
        }

        Cli.Run run = cli("data", "upload", texts.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.err()).contains("2 chunks already stored");
        long totalChunks = aChunks + (contents.get(texts.resolve("b.txt")).length() + CHUNK - 1) / CHUNK + 1;
        assertThat(coordinator.requests("PUT", "/api/v1/chunks/:sha", 201)).as("every chunk sent once").isEqualTo(totalChunks);
        List<String> ids = run.out().lines().map(l -> l.split("\\s+")[0]).toList();
        assertThat(run.out().lines()).hasSize(3).allMatch(l -> l.matches("[0-9a-f]{64}  .*"));

        StringBuilder stopText = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            stopText.append("mot").append(i).append(i % 9 == 0 ? "\n" : " ");
        }
        Path stop = Files.writeString(dir.resolve("stop.txt"), stopText);
        Cli.Run again = cli("data", "upload", texts.resolve("b.txt").toString(), stop.toString());
        assertThat(again.code()).isZero();
        List<String> againIds = again.out().lines().map(l -> l.split("\\s+")[0]).toList();
        assertThat(againIds.get(0)).isEqualTo(ids.get(1));
        assertThat(coordinator.requests("PUT", "/api/v1/chunks/:sha", 201)).as("b.txt not sent twice").isEqualTo(totalChunks + 1);

        for (int i = 1; i <= 2; i++) {
            workers.start(TestWorkers.options(dir.resolve("worker-" + i), "reader-" + i, coordinator.url()).cacheMb(64).build());
        }
        String job = coordinator.submit("{\"app\":\"wordcount\",\"input\":{\"files\":[\"" + String.join("\",\"", ids) + "\"],"
                + "\"stopwords\":\"" + againIds.get(1) + "\"},\"redundancy\":{\"replicas\":2,\"quorum\":2}}");
        coordinator.awaitJob(job, "COMPLETED");
        JsonNode result = TestCoordinator.JSON.readTree(coordinator.result(job));

        java.util.Set<String> stopwords = java.util.Set.of(stopText.toString().trim().split("\\s+"));
        long words = 0;
        long lines = 0;
        long bytes = 0;
        long allWords = 0;
        for (String s : contents.values()) {
            List<String> tokens = Arrays.stream(s.split("[ \\t\\n\\r\\f\\u000B]+")).filter(w -> !w.isEmpty()).toList();
            allWords += tokens.size();
            words += tokens.stream().filter(w -> !stopwords.contains(w)).count();
            lines += s.chars().filter(ch -> ch == '\n').count();
            bytes += s.getBytes(StandardCharsets.UTF_8).length;
        }
        assertThat(allWords).isEqualTo(5000 + 300 + 3);
        assertThat(result.get("words").asLong()).isEqualTo(words).isLessThan(allWords - 100);
        assertThat(result.get("lines").asLong()).isEqualTo(lines);
        assertThat(result.get("bytes").asLong()).isEqualTo(bytes);
        assertThat(result.get("files").asLong()).isEqualTo(3);
        // Each worker read the files through its chunk cache (both replicas of every unit ran: quorum 2).
        for (int i = 1; i <= 2; i++) {
            assertThat(TestWorkers.files(dir.resolve("worker-" + i), "chunks").stream()
                    .filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}")).count())
                    .as("the texts' chunks and the shared stopword file's one chunk").isEqualTo(totalChunks + 1);
        }
    }

    @Test
    void upload_ofAMissingPath_isAUsageError() {
        coordinator = TestCoordinator.start(dir.resolve("coordinator"));
        Cli.Run run = cli("data", "upload", dir.resolve("nothing-here").toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("is not a file or directory");
    }
}
