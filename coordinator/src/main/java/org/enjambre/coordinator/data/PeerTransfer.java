package org.enjambre.coordinator.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.enjambre.coordinator.store.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * Chunks between coordinator peers over their HTTP API, streamed (never a whole chunk in memory), each request
 * carrying the cluster's data token and {@code X-Enjambre-Replica: 1}, which tells the receiving peer to store or
 * serve only its own copy (no forwarding, no fetching: no request loops). Blocking: call off event loops.
 */
public final class PeerTransfer {
    /** The header that marks a peer's request as replica traffic. */
    public static final String REPLICA_HEADER = "X-Enjambre-Replica";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Supplier<String> token;

    public PeerTransfer(Supplier<String> token) {
        this.token = token;
    }

    private HttpRequest.Builder request(DataPeers.Peer peer, String path) {
        return HttpRequest.newBuilder(URI.create(peer.url() + path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token.get()).header(REPLICA_HEADER, "1");
    }

    /** Sends a stored chunk to {@code peer}; true when it stored it (or had it). */
    public boolean push(DataPeers.Peer peer, String sha256, long bytes, Supplier<InputStream> body) {
        HttpRequest req = request(peer, "/api/v1/chunks/" + sha256)
                .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(body), bytes)).build();
        try {
            return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() / 100 == 2;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The bytes of chunk {@code sha256} from {@code peer}'s own store, or null when it does not have it or is unreachable. */
    public InputStream fetch(DataPeers.Peer peer, String sha256) {
        HttpRequest req = request(peer, "/api/v1/chunks/" + sha256).GET().build();
        try {
            HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() == 200) {
                return r.body();
            }
            r.body().close();
            return null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Asks {@code peer} to re-verify its copy of chunk {@code sha256} ({@link BadCopies#verify}); true when it answered. */
    public boolean verify(DataPeers.Peer peer, String sha256) {
        HttpRequest req = request(peer, "/api/v1/chunks/" + sha256 + "/verify").POST(HttpRequest.BodyPublishers.noBody()).build();
        try {
            return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Which of {@code chunks} {@code peer} stores; throws {@link UncheckedIOException} when it cannot tell. */
    public List<String> present(DataPeers.Peer peer, Collection<String> chunks) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode arr = body.putArray("chunks");
        chunks.forEach(arr::add);
        HttpRequest req = request(peer, "/api/v1/chunks/present").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build();
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("peer " + peer.url() + " answered " + r.statusCode());
            }
            List<String> out = new ArrayList<>();
            for (JsonNode n : Json.MAPPER.readTree(r.body()).path("present")) {
                out.add(n.asText());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted"));
        }
    }
}
