package org.enjambre.coordinator.data;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.OptionalLong;

/**
 * Content-addressed chunks kept by one peer, named by the SHA-256 of their bytes (64 lowercase hex digits). An
 * implementation MUST: verify the hash while it writes and keep nothing of a body whose hash or size is wrong;
 * make a chunk visible only once it is whole (never a half-written chunk under its name); be thread-safe.
 * Every method blocks on I/O: call it off event loops. The disk implementation is {@link DiskChunkStore}; an
 * S3-compatible one may come later.
 */
public interface ChunkStore {
    /** What {@link #put} did: the chunk's size and whether this call stored it (false: it was already here). */
    record Put(long bytes, boolean created) {
    }

    /**
     * Stores the bytes of {@code in} (read to its end) as chunk {@code sha256}. A chunk stored already keeps its
     * bytes; the body is still read and checked, so a wrong one is refused all the same.
     *
     * @throws ChunkTooLargeException past {@code maxBytes}
     * @throws org.enjambre.coordinator.errors.InvalidInputException {@code HASH_MISMATCH} when the bytes hash to
     *         something else
     * @throws org.enjambre.coordinator.errors.UnavailableException {@code DISK_FULL} when the chunk does not fit
     * @throws IOException when the body could not be read
     */
    Put put(String sha256, InputStream in, long maxBytes) throws IOException;

    /** The bytes {@code [offset, offset + length)} of a stored chunk; the caller closes the stream. */
    InputStream get(String sha256, long offset, long length) throws IOException;

    /** The size of a stored chunk, or empty when it is not stored here. */
    OptionalLong size(String sha256);

    default boolean has(String sha256) {
        return size(sha256).isPresent();
    }

    /**
     * When this peer stored the chunk (epoch milliseconds; the disk store reads its file's modification time), or
     * empty when it is not stored here. Garbage collection spares chunks younger than its grace period.
     */
    OptionalLong storedAt(String sha256);

    /** Deletes a chunk; true when it was there. */
    boolean delete(String sha256) throws IOException;

    /** The hashes of every stored chunk. */
    List<String> list() throws IOException;

    /** Bytes of chunks stored now. */
    long usage();
}
