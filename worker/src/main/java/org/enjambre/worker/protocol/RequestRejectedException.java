package org.enjambre.worker.protocol;

/** The coordinator refused the request itself (another 4xx): retrying it unchanged will not help. */
public final class RequestRejectedException extends CoordinatorException {
    private final int status;
    private final String code;

    public RequestRejectedException(String message, int status, String code) {
        super(message, null);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    /** The error code from the body, such as {@code NOT_FOUND}; {@code null} when the body had none. */
    public String code() {
        return code;
    }
}
