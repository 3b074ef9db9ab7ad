package org.enjambre.coordinator.data;

/** A chunk body longer than the chunk size; nothing of it is kept. The HTTP layer answers 413 {@code CHUNK_TOO_LARGE}. */
public final class ChunkTooLargeException extends RuntimeException {
    private final long limit;

    public ChunkTooLargeException(long limit) {
        super("a chunk is at most " + limit + " bytes (the coordinators' chunk size)", null, false, false);
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }
}
