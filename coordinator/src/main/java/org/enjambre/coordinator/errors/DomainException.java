package org.enjambre.coordinator.errors;

/**
 * A request the domain refuses, with a stable error code and a message that says what was wrong; thrown
 * before any state changes. Each kind is its own subclass; the HTTP layer alone maps kinds to statuses
 * ({@code http.HttpErrors}), so domain code never speaks HTTP.
 */
public abstract sealed class DomainException extends RuntimeException
        permits InvalidInputException, NotFoundException, ConflictException, UnauthenticatedException,
        RateLimitedException, UnavailableException, InternalFailureException {
    private final String code;
    private final String field;

    DomainException(String code, String message, String field) {
        super(message, null, false, false);
        this.code = code;
        this.field = field;
    }

    /** A stable SNAKE_CASE code clients may act on. */
    public String code() {
        return code;
    }

    /** The input field at fault, or null. */
    public String field() {
        return field;
    }
}
