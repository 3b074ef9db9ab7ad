package org.enjambre.client;

/** The coordinator could not be reached, or the connection broke or timed out before an answer came (status 0). */
public class ConnectionFailedException extends EnjambreException {
    private static final long serialVersionUID = 1L;

    /** See {@link EnjambreException#EnjambreException(int, String, String, String, Throwable)}. */
    public ConnectionFailedException(int status, String code, String message, String field, Throwable cause) {
        super(status, code, message, field, cause);
    }
}
