package org.enjambre.client;

/** 409: the request does not fit the current state, e.g. a result asked for before the job completed ({@code NOT_COMPLETED}). */
public class ConflictException extends EnjambreException {
    private static final long serialVersionUID = 1L;

    /** See {@link EnjambreException#EnjambreException(int, String, String, String, Throwable)}. */
    public ConflictException(int status, String code, String message, String field, Throwable cause) {
        super(status, code, message, field, cause);
    }
}
