package org.enjambre.coordinator.store;

/** The durable store failed; the operation that needed it did not happen and may be retried. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
