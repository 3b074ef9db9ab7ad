package org.enjambre.coordinator.errors;

/** A client asks too often; it may retry after {@link #retryAfterSeconds()} (at least 1). */
public final class RateLimitedException extends DomainException {
    private final long retryAfterSeconds;

    public RateLimitedException(String code, String message, long retryAfterSeconds) {
        super(code, message, null);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    /** Whole seconds, rounded up from milliseconds, at least 1. */
    public static long seconds(long millis) {
        return Math.max(1, (millis + 999) / 1000);
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
