package org.enjambre.coordinator.data;

import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.Harness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Downloads larger than the streaming block ({@code StreamOut}), over real HTTP/1.1 and HTTP/2: a whole file and chunks,
 * whole and by range, arrive byte for byte and are counted as served bytes exactly (the guard for any change of the
 * streaming path: BENCHMARKS.md, *Whole-file streaming*, tried a zero-copy one).
 */
class StreamedDownloadTest {
    static final int CHUNK = 320 << 10; // more than one streaming block (256 KiB) per chunk

    @TempDir
    Path dir;
    Coordinator c;
    String url;

    @BeforeEach
    void start() {
        c = Coordinator.start(Harness.options(dir).chunkBytes(CHUNK));
        url = c.url();
    }

    @AfterEach
    void stop() {
        c.close();
    }

    private double servedToAdmin() {
        return Harness.call("GET", url + "/metrics", null, null).body().lines()
                .filter(l -> l.startsWith("enjambre_data_served_bytes_total{") && l.contains("to=\"admin\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void http1_wholeFileAndChunks_arriveExactly_andAreCountedAsServed() {
        downloads(HttpClient.Version.HTTP_1_1);
    }

    @Test
    void http2_wholeFileAndChunks_arriveExactly_andAreCountedAsServed() {
        downloads(HttpClient.Version.HTTP_2);
    }

    private void downloads(HttpClient.Version version) {
        Uploads u = Uploads.of(FileUploadTest.random(5 * CHUNK + 777, 3), CHUNK);
        assertThat(u.uploadAll(url, "big.bin").json().get("complete").asBoolean()).isTrue();
        double before = servedToAdmin();

        HttpResponse<byte[]> whole = Uploads.get(url + "/api/v1/files/" + u.id() + "/content", Harness.KEY, null, version);
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(u.bytes());

        String chunk2 = url + "/api/v1/chunks/" + u.hashes().get(2);
        HttpResponse<byte[]> chunk = Uploads.get(chunk2, Harness.KEY, null, version);
        assertThat(chunk.statusCode()).isEqualTo(200);
        assertThat(chunk.headers().firstValue("Content-Length")).hasValue(String.valueOf(CHUNK));
        assertThat(chunk.body()).isEqualTo(u.chunks().get(2));
        HttpResponse<byte[]> part = Uploads.get(chunk2, Harness.KEY, "bytes=1000-300999", version);
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 1000-300999/" + CHUNK);
        assertThat(part.body()).isEqualTo(Arrays.copyOfRange(u.chunks().get(2), 1000, 301000));
        HttpResponse<byte[]> last = Uploads.get(url + "/api/v1/chunks/" + u.hashes().get(5), Harness.KEY, null, version);
        assertThat(last.body()).isEqualTo(u.chunks().get(5));

        // Counted when a response ends on its event loop, which may be another loop than the one serving /metrics
        // (--http-loops): the last response's bytes can be counted a moment after its body arrived.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(servedToAdmin() - before)
                .as("every body byte counted once").isEqualTo(u.bytes().length + CHUNK + 300000 + 777));
    }
}
