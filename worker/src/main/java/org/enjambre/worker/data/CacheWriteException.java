package org.enjambre.worker.data;

import java.io.IOException;

/**
 * A chunk this worker's disk did not take: full ({@link #diskFull()}) or another local failure; nothing of it is
 * kept. {@link #freed()}: bytes of other chunks evicted to make room meanwhile (a new try may then succeed).
 */
public final class CacheWriteException extends IOException {
    private final boolean diskFull;
    private final long freed;

    public CacheWriteException(boolean diskFull, long freed, String message, Throwable cause) {
        super(message, cause);
        this.diskFull = diskFull;
        this.freed = freed;
    }

    public boolean diskFull() {
        return diskFull;
    }

    public long freed() {
        return freed;
    }
}
