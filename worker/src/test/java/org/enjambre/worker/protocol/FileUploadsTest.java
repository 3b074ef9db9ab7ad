package org.enjambre.worker.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Output uploads against a raw HTTP server playing the coordinator's data endpoints: only the chunks it calls missing
 * are sent, with their exact bytes; a refused manifest surfaces as a refusal. The real exchange is tested end to end
 * in the cli module ({@code OutputFilesEndToEndTest}).
 */
class FileUploadsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    static String sha(byte[] b, int from, int to) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Arrays.copyOfRange(b, from, to)));
    }

    /** A coordinator that stores what is PUT and answers manifests with the chunks it lacks; {@code manifestStatus} else. */
    private String coordinator(Map<String, byte[]> stored, List<String> puts, int manifestStatus) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] in = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            String answer;
            int status = 200;
            if (path.equals("/api/v1/files")) {
                JsonNode m = JSON.readTree(in);
                List<String> missing = new ArrayList<>();
                m.get("chunks").forEach(c -> {
                    if (!stored.containsKey(c.asText())) {
                        missing.add(c.asText());
                    }
                });
                answer = JSON.writeValueAsString(Map.of("id", "f".repeat(64), "missing", missing));
                status = manifestStatus;
            } else {
                String sha = path.substring(path.lastIndexOf('/') + 1);
                puts.add(sha);
                stored.put(sha, in);
                answer = "{\"created\":true}";
            }
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static FileUploads uploads(String url) {
        return new FileUploads(new CoordinatorClient(List.of(URI.create(url)), Duration.ofSeconds(5), Clock.systemUTC()),
                Duration.ofSeconds(5));
    }

    @Test
    void upload_sendsOnlyTheMissingChunks_withTheirExactBytes() throws Exception {
        byte[] output = new byte[2500];
        for (int i = 0; i < output.length; i++) {
            output[i] = (byte) (i * 7);
        }
        Map<String, byte[]> stored = new ConcurrentHashMap<>();
        stored.put(sha(output, 0, 1000), Arrays.copyOfRange(output, 0, 1000)); // a replica sent the first chunk already
        List<String> puts = new CopyOnWriteArrayList<>();

        String id = uploads(coordinator(stored, puts, 200)).upload("token", output, 1000);

        assertThat(id).isEqualTo("f".repeat(64));
        assertThat(puts).containsExactly(sha(output, 1000, 2000), sha(output, 2000, 2500));
        assertThat(stored.get(sha(output, 2000, 2500))).isEqualTo(Arrays.copyOfRange(output, 2000, 2500));
        puts.clear();
        uploads("http://127.0.0.1:" + server.getAddress().getPort()).upload("token", output, 1000);
        assertThat(puts).as("a second upload of the same bytes sends nothing").isEmpty();
    }

    @Test
    void refusedManifest_isARefusal_andNoChunkIsSent() throws Exception {
        List<String> puts = new CopyOnWriteArrayList<>();
        FileUploads uploads = uploads(coordinator(new ConcurrentHashMap<>(), puts, 400));
        assertThatThrownBy(() -> uploads.upload("token", new byte[10], 4)).isInstanceOf(RequestRejectedException.class);
        assertThat(puts).isEmpty();
    }
}
