package org.enjambre.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.Harness;
import org.enjambre.coordinator.cluster.PeerCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 17's fault test on real processes: three coordinator peers in JVMs of their own (PostgreSQL, R = 2). Text
 * files uploaded with {@code enjambre data upload} to one peer, which is killed ({@code kill -9}) in the middle of a
 * file; the upload run again against a survivor sends only the chunks not yet stored. The killed peer returns; a
 * {@code wordcount} job over the files, computed by real workers, survives {@code kill -9} of another peer while its
 * units are half done, and gives the known answer; every chunk is back on two live peers at the end.
 */
class DataPeerKillTest {
    static final int CHUNK_KB = 16;
    static final int FILES = 6;
    static final int CHUNKS_PER_FILE = 16;

    @RegisterExtension
    static final PeerCluster.Fixture CLUSTER = new PeerCluster.Fixture();

    @TempDir
    Path dir;
    final TestWorkers workers = new TestWorkers();

    @AfterEach
    void stop() {
        workers.close();
    }

    @Test
    void killNine_midUpload_andMidJob_uploadResumes_jobGivesTheKnownAnswer_everyChunkBackOnTwoPeers() throws Exception {
        PeerCluster peers = CLUSTER.peers(dir.resolve("peers"));
        peers.start(0, 1, 2);
        Path texts = Files.createDirectories(dir.resolve("texts"));
        Map<String, String> contents = new LinkedHashMap<>();
        for (int f = 0; f < FILES; f++) {
            String name = (char) ('a' + f) + ".txt";
            contents.put(name, text(f, CHUNKS_PER_FILE * CHUNK_KB * 1024));
            Files.writeString(texts.resolve(name), contents.get(name));
        }
        List<String> chunks = new ArrayList<>();
        for (String name : contents.keySet()) {
            byte[] b = Files.readAllBytes(texts.resolve(name));
            for (int off = 0; off < b.length; off += CHUNK_KB * 1024) {
                chunks.add(DataEndToEndTest.sha(Arrays.copyOfRange(b, off, Math.min(b.length, off + CHUNK_KB * 1024))));
            }
        }
        assertThat(chunks).as("distinct chunks").doesNotHaveDuplicates().hasSize(FILES * CHUNKS_PER_FILE);

        // Upload to peer 0; it dies once c.txt is half sent (the upload's progress pauses there while it is killed).
        PausingWriter err = new PausingWriter(Pattern.compile("(?m)^c\\.txt \\[.*\\]\\s+50% .*uploading$"));
        CompletableFuture<Cli.Run> first = CompletableFuture.supplyAsync(
                () -> Cli.run(err, "data", "upload", texts.toString(), "--coordinator", peers.url(0),
                        "--api-key", Harness.KEY, "--chunk-kb", Integer.toString(CHUNK_KB)));
        assertThat(err.paused.await(120, TimeUnit.SECONDS)).as("the upload reached half of c.txt: %s", err).isTrue();
        await("peer 0 counted the chunks it stored").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(TestCoordinator.requests(peers.url(0), "PUT", "/api/v1/chunks/:sha", 201))
                        .isEqualTo(2L * CHUNKS_PER_FILE + CHUNKS_PER_FILE / 2));
        peers.kill(0);
        peers.awaitMembers();
        err.resume.countDown();
        Cli.Run interrupted = first.get(120, TimeUnit.SECONDS);
        assertThat(interrupted.code()).as(interrupted.err()).isEqualTo(1);
        assertThat(interrupted.err()).contains("data upload:");
        assertThat(interrupted.out().lines()).as("the files uploaded before the peer died").hasSize(2);

        Cli.Run resumed = Cli.run("data", "upload", texts.toString(), "--coordinator", peers.url(1),
                "--api-key", Harness.KEY, "--chunk-kb", Integer.toString(CHUNK_KB));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.err()).containsPattern("(?m)^a\\.txt .* MiB already stored$").containsPattern("(?m)^b\\.txt .* MiB already stored$")
                .containsPattern("(?m)^c\\.txt .* " + CHUNKS_PER_FILE / 2 + " chunks already stored$")
                .containsPattern("(?m)^d\\.txt .* 0 chunks already stored$");
        List<String> ids = resumed.out().lines().map(l -> l.split("\\s+")[0]).toList();
        assertThat(ids).hasSize(FILES);
        assertThat(interrupted.out().lines().map(l -> l.split("\\s+")[0])).containsExactly(ids.get(0), ids.get(1));

        peers.start(0); // the killed peer returns
        awaitEveryChunkOnTwoLivePeers(peers, chunks);

        // A job whose units need two workers' agreeing results: with worker A alone none completes.
        Harness.Response submitted = Harness.call("POST", peers.url(1) + "/api/v1/jobs", Harness.KEY,
                "{\"app\":\"wordcount\",\"input\":{\"files\":[\"" + String.join("\",\"", ids) + "\"]},"
                        + "\"redundancy\":{\"replicas\":2,\"quorum\":2}}");
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(201);
        String job = submitted.json().get("id").asText();
        workers.start(TestWorkers.options(dir.resolve("worker-a"), "reader-a", peers.url(1), peers.url(2), peers.url(0))
                .cacheMb(64).build());
        await("worker A computed half of the units").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> succeeded(peers, job) >= FILES / 2);
        assertThat(peers.get("/api/v1/jobs/" + job).get("state").asText()).isEqualTo("RUNNING");

        peers.kill(1); // worker A's peer, mid-job
        workers.start(TestWorkers.options(dir.resolve("worker-b"), "reader-b", peers.url(2), peers.url(0), peers.url(1))
                .cacheMb(64).build());

        await("the job completes").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(300))
                .until(() -> peers.get("/api/v1/jobs/" + job).get("state").asText().equals("COMPLETED"));
        JsonNode result = peers.get("/api/v1/jobs/" + job + "/result");
        long words = 0;
        long lines = 0;
        long bytes = 0;
        for (String s : contents.values()) {
            words += Arrays.stream(s.split("[ \\t\\n]+")).filter(w -> !w.isEmpty()).count();
            lines += s.chars().filter(ch -> ch == '\n').count();
            bytes += s.length();
        }
        assertThat(result.get("words").asLong()).isEqualTo(words);
        assertThat(result.get("lines").asLong()).isEqualTo(lines);
        assertThat(result.get("bytes").asLong()).isEqualTo(bytes);
        assertThat(result.get("files").asLong()).isEqualTo(FILES);
        for (JsonNode u : peers.get("/api/v1/jobs/" + job + "/units?limit=" + FILES).get("units")) {
            assertThat(u.get("state").asText()).as("unit %s", u).isEqualTo("DONE");
            assertThat(u.get("replicas").findValuesAsText("validate")).as("unit %s", u).filteredOn("VALID"::equals).hasSize(2);
        }
        awaitEveryChunkOnTwoLivePeers(peers, chunks);
    }

    /** ASCII text of about {@code size} bytes: words unique to file {@code f}, spaces, tabs and newlines. */
    static String text(int f, int size) {
        StringBuilder sb = new StringBuilder(size + 16);
        for (int i = 0; sb.length() < size; i++) {
            sb.append('f').append(f).append('w').append(i % 1009).append(i % 7 == 6 ? "\n" : i % 5 == 0 ? "\t " : " ");
        }
        sb.setLength(size);
        return sb.toString();
    }

    /** How many units of the job have a successful result. */
    private static long succeeded(PeerCluster peers, String job) {
        long n = 0;
        for (JsonNode u : peers.get("/api/v1/jobs/" + job + "/units?limit=" + FILES).get("units")) {
            if (u.get("replicas").findValuesAsText("outcome").contains("SUCCESS")) {
                n++;
            }
        }
        return n;
    }

    /** Waits until each chunk is in the {@code chunks} directory of at least two running peers. */
    private static void awaitEveryChunkOnTwoLivePeers(PeerCluster peers, List<String> chunks) {
        await("every chunk on two live peers").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    for (String h : chunks) {
                        int copies = 0;
                        for (int slot = 0; slot < 3; slot++) {
                            if (peers.running(slot) && Files.exists(peers.dataDir(slot).resolve("chunks")
                                    .resolve(h.substring(0, 2)).resolve(h))) {
                                copies++;
                            }
                        }
                        assertThat(copies).as("live copies of chunk " + h).isGreaterThanOrEqualTo(2);
                    }
                });
    }

    /**
     * Standard error for an upload that pauses once, in the flush after its text first matches {@code at}, until
     * {@link #resume} opens: the test acts at a known point of the upload instead of racing it.
     */
    static final class PausingWriter extends Writer {
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);
        private final StringBuffer text = new StringBuffer();
        private final Pattern at;

        PausingWriter(Pattern at) {
            this.at = at;
        }

        @Override
        public void write(char[] c, int off, int len) {
            text.append(c, off, len);
        }

        @Override
        public void flush() {
            if (paused.getCount() > 0 && at.matcher(text).find()) {
                paused.countDown();
                try {
                    resume.await(300, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
