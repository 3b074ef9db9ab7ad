package org.enjambre.coordinator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.enjambre.coordinator.Harness;
import org.enjambre.coordinator.store.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Data files on three coordinator processes sharing a real PostgreSQL server, 4 MiB chunks, R = 2: a file uploaded
 * to one peer survives {@code kill -9} of that peer (which held every chunk), is served whole by both survivors,
 * and each of its chunks is back on both of them (their {@code chunks} directories) afterwards.
 */
class DataProcessClusterTest {
    static final int CHUNK = 4 << 20;

    @RegisterExtension
    static final PeerCluster.Fixture CLUSTER = new PeerCluster.Fixture();

    @TempDir
    Path dir;

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void killNineOfTheReceivingPeer_fileServedBySurvivors_andEveryChunkBackOnBoth() throws Exception {
        PeerCluster peers = CLUSTER.peers(dir);
        peers.start(0, 1, 2);
        byte[] bytes = new byte[5 * CHUNK + 12345];
        new Random(17).nextBytes(bytes);
        List<String> hashes = new ArrayList<>();
        for (int off = 0; off < bytes.length; off += CHUNK) {
            hashes.add(sha(Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + CHUNK))));
        }
        ObjectNode manifest = Json.MAPPER.createObjectNode().put("name", "big.bin").put("size", bytes.length);
        ArrayNode arr = manifest.putArray("chunks");
        hashes.forEach(arr::add);
        String receiver = peers.url(0);
        JsonNode declared = Harness.call("POST", receiver + "/api/v1/files", Harness.KEY, Json.write(manifest)).json();
        assertThat(declared.get("missing")).hasSize(6);
        for (int i = 0; i < hashes.size(); i++) {
            byte[] chunk = Arrays.copyOfRange(bytes, i * CHUNK, Math.min(bytes.length, (i + 1) * CHUNK));
            Harness.Response r = Harness.callBytes("PUT", receiver + "/api/v1/chunks/" + hashes.get(i), Harness.KEY, chunk);
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            assertThat(r.json().get("copies").asInt()).isGreaterThanOrEqualTo(2);
        }
        JsonNode done = Harness.call("POST", receiver + "/api/v1/files", Harness.KEY, Json.write(manifest)).json();
        assertThat(done.get("complete").asBoolean()).isTrue();
        String id = done.get("id").asText();

        peers.kill(0);
        peers.awaitMembers();

        await("every chunk back on both survivors").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    for (String h : hashes) {
                        for (int slot : new int[]{1, 2}) {
                            assertThat(peers.dataDir(slot).resolve("chunks").resolve(h.substring(0, 2)).resolve(h))
                                    .as("chunk " + h + " on peer " + slot).exists();
                        }
                    }
                });
        for (int slot : new int[]{1, 2}) {
            HttpResponse<byte[]> r = Harness.bytes(peers.url(slot) + "/api/v1/files/" + id + "/content", Harness.KEY);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(sha(r.body())).isEqualTo(sha(bytes));
        }
    }
}
