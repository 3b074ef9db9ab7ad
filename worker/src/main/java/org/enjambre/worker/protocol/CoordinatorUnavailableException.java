package org.enjambre.worker.protocol;

import java.time.Duration;
import java.util.Optional;

/**
 * No usable answer: connection refused or timed out, a 5xx, a 429, or an unreadable body. Retryable;
 * {@link #retryAfter()} is the coordinator's {@code Retry-After} when it sent one.
 */
public final class CoordinatorUnavailableException extends CoordinatorException {
    private final transient Duration retryAfter;

    public CoordinatorUnavailableException(String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryAfter = retryAfter;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
