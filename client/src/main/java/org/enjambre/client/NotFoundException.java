package org.enjambre.client;

/** 404: no such job (or route). */
public class NotFoundException extends EnjambreException {
    private static final long serialVersionUID = 1L;

    /** See {@link EnjambreException#EnjambreException(int, String, String, String, Throwable)}. */
    public NotFoundException(int status, String code, String message, String field, Throwable cause) {
        super(status, code, message, field, cause);
    }
}
