package org.enjambre.coordinator.store;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether the store can write now: false from a failed write until a write (or the committer's probe)
 * succeeds again. Read by {@code /health} and the metrics, so reading it is a volatile read, nothing more.
 */
final class StoreHealth {
    private volatile boolean writable = true;
    private volatile String lastError;
    private final AtomicLong writeFailures = new AtomicLong();

    void writeFailed(Exception e) {
        writeFailures.incrementAndGet();
        lastError = e.getMessage();
        writable = false;
    }

    /** Returns whether the store was not writable until now (it just healed). */
    boolean writeSucceeded() {
        boolean healed = !writable;
        writable = true;
        return healed;
    }

    boolean writable() {
        return writable;
    }

    long writeFailures() {
        return writeFailures.get();
    }

    String lastError() {
        return lastError;
    }
}
