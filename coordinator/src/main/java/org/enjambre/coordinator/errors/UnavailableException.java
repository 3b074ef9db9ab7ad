package org.enjambre.coordinator.errors;

/** The peer cannot serve this now (busy, storage or cluster down); retrying later may succeed. */
public final class UnavailableException extends DomainException {
    private final long retryAfterSeconds;

    public UnavailableException(String code, String message, long retryAfterSeconds) {
        super(code, message, null);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
