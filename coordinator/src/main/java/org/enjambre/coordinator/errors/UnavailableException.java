package org.enjambre.coordinator.errors;

/** The peer cannot serve this now (busy, storage or cluster down); retrying later may succeed. */
public final class UnavailableException extends DomainException {
    private final long retryAfterSeconds;

    public UnavailableException(String code, String message, long retryAfterSeconds) {
        this(code, message, null, retryAfterSeconds);
    }

    /** Unavailable because of what {@code field} asks for (e.g. more units than the cluster can hold now). */
    public UnavailableException(String code, String message, String field, long retryAfterSeconds) {
        super(code, message, field);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
