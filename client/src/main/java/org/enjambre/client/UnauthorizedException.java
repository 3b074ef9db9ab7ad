package org.enjambre.client;

/** 401 or 403: no API key was sent, or a wrong one (give it to the builder, or set {@code ENJAMBRE_API_KEY}). */
public class UnauthorizedException extends EnjambreException {
    private static final long serialVersionUID = 1L;

    /** See {@link EnjambreException#EnjambreException(int, String, String, String, Throwable)}. */
    public UnauthorizedException(int status, String code, String message, String field, Throwable cause) {
        super(status, code, message, field, cause);
    }
}
