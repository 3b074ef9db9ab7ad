package org.enjambre.coordinator.data;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.enjambre.coordinator.Harness;
import org.enjambre.coordinator.store.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** What a test uploads: bytes cut into chunks of a size, with their hashes, and the HTTP calls of the data API. */
record Uploads(byte[] bytes, int chunkSize, List<byte[]> chunks, List<String> hashes) {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static Uploads of(byte[] bytes, int chunkSize) {
        List<byte[]> chunks = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        for (int off = 0; off < bytes.length; off += chunkSize) {
            byte[] c = Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + chunkSize));
            chunks.add(c);
            hashes.add(sha(c));
        }
        return new Uploads(bytes, chunkSize, chunks, hashes);
    }

    /** Deterministic text of {@code words} words (known counts: words, lines = words / 10). */
    static byte[] text(int words, int seed) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            sb.append("w").append((i * 31 + seed) % 997).append(i % 10 == 9 ? "\n" : " ");
        }
        return sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    static String sha(byte[] b) {
        try {
            return Hashes.hex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    String id() {
        return Hashes.fileId(hashes);
    }

    String manifest(String name) {
        ObjectNode m = Json.MAPPER.createObjectNode().put("name", name).put("size", bytes.length).put("chunkSize", chunkSize);
        ArrayNode arr = m.putArray("chunks");
        hashes.forEach(arr::add);
        return Json.write(m);
    }

    Harness.Response declare(String url, String name) {
        return Harness.call("POST", url + "/api/v1/files", Harness.KEY, manifest(name));
    }

    static Harness.Response put(String url, String key, String sha, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(url + "/api/v1/chunks/" + sha))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)), key);
    }

    Harness.Response putChunk(String url, int i) {
        return put(url, Harness.KEY, hashes.get(i), chunks.get(i));
    }

    /** Declares, uploads every chunk, declares again; returns the last answer (complete). */
    Harness.Response uploadAll(String url, String name) {
        declare(url, name);
        for (int i = 0; i < chunks.size(); i++) {
            Harness.Response r = putChunk(url, i);
            if (r.status() / 100 != 2) {
                throw new AssertionError("chunk " + i + ": " + r.status() + " " + r.body());
            }
        }
        return declare(url, name);
    }

    static Harness.Response send(HttpRequest.Builder b, String key) {
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        try {
            HttpResponse<String> r = HTTP.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            return new Harness.Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<byte[]> get(String url, String key, String range) {
        return get(url, key, range, HttpClient.Version.HTTP_2);
    }

    /** A GET in HTTP {@code version} (HTTP/2 is asked by upgrade, as the JDK client does by default). */
    static HttpResponse<byte[]> get(String url, String key, String range, HttpClient.Version version) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).version(version);
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (range != null) {
            b.header("Range", range);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
