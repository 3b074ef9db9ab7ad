package org.enjambre.coordinator.http;

/**
 * A request that cannot be served as asked, with the HTTP status, a stable error code and a message
 * that says what was wrong. Thrown before any state changes.
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

    public static ApiException badRequest(String message, String field) {
        return new ApiException(400, "BAD_REQUEST", message, field);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "NOT_FOUND", message);
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
