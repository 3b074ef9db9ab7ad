package org.enjambre.client;

import java.time.Duration;
import java.util.Optional;

/**
 * 429 or 503: the coordinator is busy (rate limited, or its storage or cluster briefly unavailable); retrying after
 * {@link #retryAfter()} may succeed. The client already retried idempotent reads a bounded number of times.
 */
public class ServerBusyException extends EnjambreException {
    private static final long serialVersionUID = 1L;

    private final Duration retryAfter;

    /** See {@link EnjambreException#EnjambreException(int, String, String, String)}; {@code retryAfter} may be null. */
    public ServerBusyException(int status, String code, String message, String field, Duration retryAfter) {
        super(status, code, message, field);
        this.retryAfter = retryAfter;
    }

    /** The server's {@code Retry-After} hint, when it gave one. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
