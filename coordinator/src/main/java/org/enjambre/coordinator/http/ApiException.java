package org.enjambre.coordinator.http;

/**
 * A refusal that only the HTTP layer makes (a body over its limit, no such endpoint), with its status,
 * a stable code and a message. Domain code throws {@code org.enjambre.coordinator.errors} exceptions
 * instead; {@link HttpErrors} maps both.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final String field;

    public ApiException(int status, String code, String message) {
        this(status, code, message, null);
    }

    public ApiException(int status, String code, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }
}
