package org.enjambre.coordinator.model;

import java.util.List;
import java.util.Objects;

/**
 * An uploaded file as the store indexes it (table {@code files}): its id (the SHA-256 over its chunks' raw
 * SHA-256 digests, in order; README "Data"), its name, size, chunk size and chunk hashes in order, and whether
 * every chunk was stored. Immutable.
 *
 * @param complete whether every chunk was stored when the manifest was last posted: only complete files are
 *                 served whole or named by jobs
 */
public record FileRecord(String id, String name, long size, int chunkSize, List<String> chunks, boolean complete,
                         long createdAt) {
    public FileRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        chunks = List.copyOf(chunks);
    }

    /** The bytes of chunk {@code index}: the chunk size, but the last chunk holds the rest. */
    public long chunkBytes(int index) {
        return index < chunks.size() - 1 ? chunkSize : size - (long) chunkSize * (chunks.size() - 1);
    }

    public FileRecord asComplete() {
        return new FileRecord(id, name, size, chunkSize, chunks, true, createdAt);
    }
}
