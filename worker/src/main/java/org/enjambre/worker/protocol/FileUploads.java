package org.enjambre.worker.protocol;

import com.fasterxml.jackson.databind.JsonNode;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Uploads a task's output as a content-addressed file (README, "Outputs as files"): declares its manifest
 * ({@code POST /api/v1/files}), sends only the chunks the coordinators say are missing ({@code PUT /api/v1/chunks/{sha}};
 * a second replica with the same bytes sends none), and declares it again so it is complete. Idempotent: a retry
 * after any failure sends what is still missing. The file id depends only on the bytes and the chunk size.
 */
public final class FileUploads {
    private static final HexFormat HEX = HexFormat.of();

    private final CoordinatorClient client;
    private final Duration timeout;

    public FileUploads(CoordinatorClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    /** Uploads {@code bytes} until complete; returns the file id. */
    public String upload(String token, byte[] bytes, int chunkBytes) throws CoordinatorException, InterruptedException {
        Map<String, Integer> offsets = new LinkedHashMap<>();
        List<String> chunks = new ArrayList<>();
        List<byte[]> digests = chunkDigests(bytes, chunkBytes);
        for (int i = 0; i < digests.size(); i++) {
            String sha = HEX.formatHex(digests.get(i));
            chunks.add(sha);
            offsets.putIfAbsent(sha, i * chunkBytes);
        }
        Manifest manifest = new Manifest("output", bytes.length, chunkBytes, chunks);
        JsonNode declared = declare(token, manifest);
        if (declared.path("missing").isEmpty()) {
            return declared.path("id").asText();
        }
        for (JsonNode missing : declared.path("missing")) {
            Integer offset = offsets.get(missing.asText());
            if (offset == null) {
                throw new CoordinatorUnavailableException("the coordinator asked for chunk " + missing.asText()
                        + ", which is not in this output", null, null);
            }
            int length = Math.min(chunkBytes, bytes.length - offset);
            client.call("PUT", "/api/v1/chunks/" + missing.asText(), token, new CoordinatorClient.Octets(bytes, offset, length), timeout);
        }
        JsonNode again = declare(token, manifest);
        if (!again.path("missing").isEmpty()) {
            throw new CoordinatorUnavailableException("output file " + again.path("id").asText() + " still misses "
                    + again.path("missing").size() + " chunk(s) after they were sent", null, null);
        }
        return again.path("id").asText();
    }

    private JsonNode declare(String token, Manifest manifest) throws CoordinatorException, InterruptedException {
        return client.read(client.call("POST", "/api/v1/files", token, manifest, timeout), JsonNode.class);
    }

    private static List<byte[]> chunkDigests(byte[] bytes, int chunkBytes) {
        if (chunkBytes < 1) {
            throw new IllegalArgumentException("the chunk size must be positive");
        }
        List<byte[]> out = new ArrayList<>();
        for (int from = 0; from < bytes.length; from += chunkBytes) {
            MessageDigest md = sha256();
            md.update(bytes, from, Math.min(chunkBytes, bytes.length - from));
            out.add(md.digest());
        }
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Manifest(String name, long size, int chunkSize, List<String> chunks) {
    }
}
