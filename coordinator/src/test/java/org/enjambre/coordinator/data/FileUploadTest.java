package org.enjambre.coordinator.data;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.Harness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Uploads to one real coordinator over real HTTP, chunks on its disk in a temp directory (README, "Data"). */
class FileUploadTest {
    static final int CHUNK = 4096;

    @TempDir
    Path dir;
    Coordinator c;
    String url;

    @BeforeEach
    void start() {
        c = Coordinator.start(Harness.options(dir).chunkBytes(CHUNK).dataQuotaBytes(64 * CHUNK));
        url = c.url();
    }

    @AfterEach
    void stop() {
        c.close();
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void upload_thenFileServedWholeAndChunksByRange() {
        Uploads u = Uploads.of(random(3 * CHUNK + 100, 1), CHUNK);
        Harness.Response first = u.declare(url, "data.bin");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.json().get("id").asText()).isEqualTo(u.id());
        assertThat(first.json().get("complete").asBoolean()).isFalse();
        assertThat(first.json().get("missing")).hasSize(4);

        Harness.Response done = u.uploadAll(url, "data.bin");
        assertThat(done.json().get("complete").asBoolean()).isTrue();
        assertThat(done.json().get("missing")).isEmpty();

        String metrics = Harness.call("GET", url + "/metrics", null, null).body();
        assertThat(metrics.lines().filter(l -> l.startsWith("enjambre_data_chunks_bytes{"))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))).containsExactly((double) (3 * CHUNK + 100));

        JsonNode meta = Harness.call("GET", url + "/api/v1/files/" + u.id(), Harness.KEY, null).json();
        assertThat(meta.get("size").asLong()).isEqualTo(3 * CHUNK + 100);
        assertThat(meta.get("chunks").get(3).asText()).isEqualTo(u.hashes().get(3));

        HttpResponse<byte[]> whole = Uploads.get(url + "/api/v1/files/" + u.id() + "/content", Harness.KEY, null);
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(u.bytes());

        String chunk1 = url + "/api/v1/chunks/" + u.hashes().get(1);
        HttpResponse<byte[]> part = Uploads.get(chunk1, Harness.KEY, "bytes=10-99");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 10-99/" + CHUNK);
        assertThat(part.body()).isEqualTo(Arrays.copyOfRange(u.chunks().get(1), 10, 100));
        HttpResponse<byte[]> tail = Uploads.get(chunk1, Harness.KEY, "bytes=-5");
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(u.chunks().get(1), CHUNK - 5, CHUNK));
        HttpResponse<byte[]> outside = Uploads.get(chunk1, Harness.KEY, "bytes=" + CHUNK + "-");
        assertThat(outside.statusCode()).isEqualTo(416);
        assertThat(outside.headers().firstValue("Content-Range")).hasValue("bytes */" + CHUNK);
    }

    @Test
    void resume_afterInterruptedUpload_asksOnlyForMissingChunks() {
        Uploads u = Uploads.of(random(5 * CHUNK, 2), CHUNK);
        u.declare(url, "big.bin");
        assertThat(u.putChunk(url, 0).status()).isEqualTo(201);
        assertThat(u.putChunk(url, 3).status()).isEqualTo(201);
        // the upload "dies" here; a new run declares again and gets what is left
        JsonNode again = u.declare(url, "big.bin").json();
        assertThat(again.get("missing")).extracting(JsonNode::asText)
                .containsExactly(u.hashes().get(1), u.hashes().get(2), u.hashes().get(4));
        assertThat(u.putChunk(url, 0).status()).as("a chunk stored already").isEqualTo(200);
        for (int i : new int[]{1, 2, 4}) {
            assertThat(u.putChunk(url, i).status()).isEqualTo(201);
        }
        assertThat(u.declare(url, "big.bin").json().get("complete").asBoolean()).isTrue();
    }

    @Test
    void chunkWithWrongHash_refusedNamingBothHashes_nothingKept() throws Exception {
        byte[] body = random(1000, 3);
        String claimed = Uploads.sha(random(1000, 4));
        Harness.Response r = Uploads.put(url, Harness.KEY, claimed, body);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("HASH_MISMATCH");
        assertThat(r.json().at("/error/field").asText()).isEqualTo("sha256");
        assertThat(r.json().at("/error/message").asText()).contains(claimed).contains(Uploads.sha(body));
        assertThat(c.data().local().has(claimed)).isFalse();
        assertThat(c.data().local().list()).isEmpty();
        try (var tmp = Files.list(dir.resolve("chunks/tmp"))) {
            assertThat(tmp).isEmpty();
        }
    }

    @Test
    void oversizedChunk_refusedWith413_declaredOrStreamed() throws Exception {
        byte[] body = random(CHUNK + 1, 5);
        Harness.Response declared = Uploads.put(url, Harness.KEY, Uploads.sha(body), body);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.json().at("/error/code").asText()).isEqualTo("CHUNK_TOO_LARGE");
        // no Content-Length: the body is cut off while streaming
        Harness.Response streamed = Uploads.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/chunks/" + Uploads.sha(body)))
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))), Harness.KEY);
        assertThat(streamed.status()).isEqualTo(413);
        assertThat(c.data().local().list()).isEmpty();
        try (var tmp = Files.list(dir.resolve("chunks/tmp"))) {
            assertThat(tmp).isEmpty();
        }
    }

    @Test
    void chunkPastTheQuota_refusedDiskFull_nothingHalfWritten() throws Exception {
        Harness.Response last = null;
        int stored = 0;
        for (int i = 0; i < 70; i++) {
            byte[] b = random(CHUNK, 100 + i);
            last = Uploads.put(url, Harness.KEY, Uploads.sha(b), b);
            if (last.status() != 201) {
                break;
            }
            stored++;
        }
        assertThat(last.status()).isEqualTo(503);
        assertThat(last.json().at("/error/code").asText()).isEqualTo("DISK_FULL");
        assertThat(last.headers().firstValue("Retry-After")).isPresent();
        assertThat(stored).isEqualTo(64); // the quota: 64 chunks of 4 KiB
        assertThat(c.data().local().list()).hasSize(stored);
        try (var tmp = Files.list(dir.resolve("chunks/tmp"))) {
            assertThat(tmp).isEmpty();
        }
    }

    @Test
    void badManifests_refusedNamingTheField() {
        Uploads u = Uploads.of(random(2 * CHUNK, 6), CHUNK);
        String tooFew = "{\"name\":\"a\",\"size\":" + (2 * CHUNK) + ",\"chunkSize\":" + CHUNK + ",\"chunks\":[\"" + u.hashes().get(0) + "\"]}";
        assertField(Harness.call("POST", url + "/api/v1/files", Harness.KEY, tooFew), "chunks");
        String badHash = "{\"name\":\"a\",\"size\":" + (2 * CHUNK) + ",\"chunkSize\":" + CHUNK + ",\"chunks\":[\""
                + u.hashes().get(0) + "\",\"XYZ\"]}";
        assertField(Harness.call("POST", url + "/api/v1/files", Harness.KEY, badHash), "chunks[1]");
        assertField(Harness.call("POST", url + "/api/v1/files", Harness.KEY, "{\"name\":\"a\",\"size\":0,\"chunkSize\":" + (CHUNK + 1)
                + ",\"chunks\":[]}"), "chunkSize");
        assertField(Harness.call("POST", url + "/api/v1/files", Harness.KEY, "{\"size\":0,\"chunks\":[]}"), "name");
        assertField(Harness.call("POST", url + "/api/v1/files", Harness.KEY, "{\"name\":\"a\",\"size\":0,\"chunks\":[],\"x\":1}"), "x");
        assertField(Uploads.put(url, Harness.KEY, "not-a-hash", new byte[1]), "sha256");
    }

    private static void assertField(Harness.Response r, String field) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().at("/error/field").asText()).isEqualTo(field);
    }

    @Test
    void writesNeedTheApiKeyOrAWorkerToken_readsTakeAWorkerToken() {
        Uploads u = Uploads.of(random(100, 7), CHUNK);
        assertThat(Uploads.put(url, null, u.hashes().get(0), u.chunks().get(0)).status()).isEqualTo(401);
        // Neither the API key nor a worker's token (workers upload their outputs): unauthenticated.
        assertThat(Uploads.put(url, "wrong-key-123", u.hashes().get(0), u.chunks().get(0)).status()).isEqualTo(401);
        u.uploadAll(url, "small");
        Harness.Registered w = Harness.register(url, "reader", "wordcount");
        HttpResponse<byte[]> byWorker = Uploads.get(url + "/api/v1/chunks/" + u.hashes().get(0), w.token(), null);
        assertThat(byWorker.statusCode()).isEqualTo(200);
        assertThat(byWorker.body()).isEqualTo(u.bytes());
        assertThat(Uploads.put(url, w.token(), u.hashes().get(0), u.chunks().get(0)).status())
                .as("a worker uploads its outputs: the chunk is already stored").isEqualTo(200);
        assertThat(Uploads.get(url + "/api/v1/chunks/" + u.hashes().get(0), null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void unknownOrIncompleteFile_notFoundOrConflict_andRefusedInAJobSpec() {
        Uploads whole = Uploads.of("one two three\n".getBytes(), CHUNK);
        whole.uploadAll(url, "a.txt");
        Uploads half = Uploads.of(random(2 * CHUNK, 8), CHUNK);
        half.declare(url, "b.bin");
        String unknown = Uploads.sha(new byte[]{42});

        assertThat(Harness.call("GET", url + "/api/v1/files/" + unknown, Harness.KEY, null).status()).isEqualTo(404);
        Harness.Response incomplete = Harness.call("GET", url + "/api/v1/files/" + half.id() + "/content", Harness.KEY, null);
        assertThat(incomplete.status()).isEqualTo(409);
        assertThat(incomplete.json().at("/error/code").asText()).isEqualTo("FILE_INCOMPLETE");

        Harness.Response r = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY, spec(whole.id(), unknown));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("UNKNOWN_FILE");
        assertThat(r.json().at("/error/field").asText()).isEqualTo("input.files[1]");
        Harness.Response r2 = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY, spec(half.id()));
        assertThat(r2.json().at("/error/code").asText()).isEqualTo("FILE_INCOMPLETE");
        assertThat(r2.json().at("/error/field").asText()).isEqualTo("input.files[0]");
        assertThat(Harness.call("GET", url + "/api/v1/jobs", Harness.KEY, null).json().get("jobs")).isEmpty();
        assertThat(Harness.call("POST", url + "/api/v1/jobs", Harness.KEY, spec(whole.id())).status()).isEqualTo(201);
    }

    static String spec(String... ids) {
        return "{\"app\":\"wordcount\",\"input\":{\"files\":[\"" + String.join("\",\"", List.of(ids)) + "\"]}}";
    }
}
