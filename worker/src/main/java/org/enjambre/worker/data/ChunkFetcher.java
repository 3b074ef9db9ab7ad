package org.enjambre.worker.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Fetches file manifests and chunks from the coordinator peers with the worker's token: a chunk from the cache,
 * else from each coordinator in turn until one sends bytes that hash right (a bad copy is logged and fetched again
 * from the next); a manifest is accepted only when its chunks hash to the file id asked for, so no peer can swap a
 * file's content. Manifests are kept in memory (content-addressed: they never change). Blocking; thread-safe.
 */
public final class ChunkFetcher {
    private static final Logger LOG = Logger.getLogger(ChunkFetcher.class.getName());
    /** The largest chunk accepted: the coordinators' largest chunk size. */
    static final long MAX_CHUNK_BYTES = 64L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A file as the worker reads it: its chunks in order. */
    public record Manifest(String id, long size, List<String> chunks) {
    }

    private final List<URI> coordinators;
    private final Supplier<String> token;
    private final ChunkCache cache;
    private final HttpClient http;
    private final Duration timeout;
    private final Map<String, Manifest> manifests = new ConcurrentHashMap<>();

    public ChunkFetcher(List<URI> coordinators, Supplier<String> token, ChunkCache cache, Duration timeout) {
        this.coordinators = List.copyOf(coordinators);
        this.token = token;
        this.cache = cache;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The manifest of file {@code id}, verified against the id. */
    public Manifest manifest(String id) throws IOException {
        if (!Sha256.valid(id)) {
            throw new IOException("'" + id + "' is not a file id");
        }
        Manifest known = manifests.get(id);
        if (known != null) {
            return known;
        }
        IOException last = null;
        for (URI base : coordinators) {
            try (InputStream in = get(base, "/api/v1/files/" + id)) {
                JsonNode n = JSON.readTree(in);
                List<String> chunks = new ArrayList<>();
                n.path("chunks").forEach(c -> chunks.add(c.asText()));
                if (!n.path("complete").asBoolean() || !chunks.stream().allMatch(Sha256::valid)
                        || !Sha256.fileId(chunks).equals(id)) {
                    throw new IOException(base + " sent a manifest that is incomplete or not file " + id);
                }
                Manifest m = new Manifest(id, n.path("size").asLong(), List.copyOf(chunks));
                manifests.put(id, m);
                return m;
            } catch (IOException e) {
                last = e;
            }
        }
        throw new IOException("no coordinator sent file " + id + ": " + (last == null ? "none asked" : last.getMessage()), last);
    }

    /** The verified chunk's file in the cache, fetched first when it is not there. */
    public Path chunk(String sha256) throws IOException {
        var cached = cache.get(sha256);
        if (cached.isPresent()) {
            return cached.get();
        }
        IOException last = null;
        for (URI base : coordinators) {
            try (InputStream in = get(base, "/api/v1/chunks/" + sha256)) {
                return cache.put(sha256, in, MAX_CHUNK_BYTES);
            } catch (ChunkCache.BadChunkException e) {
                LOG.warning("coordinator " + base + " sent a bad copy: " + e.getMessage() + "; fetching it elsewhere");
                last = e;
            } catch (IOException e) {
                last = e;
            }
        }
        throw new IOException("no coordinator sent chunk " + sha256 + ": " + (last == null ? "none asked" : last.getMessage()), last);
    }

    private InputStream get(URI base, String path) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .header("Authorization", "Bearer " + token.get()).GET().build();
        try {
            HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                r.body().close();
                throw new IOException(base + path + " answered " + r.statusCode());
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
