package org.enjambre.client;

/** 400: the request is invalid (often the job spec, or a module that is no WebAssembly); {@link #field()} names what is wrong. */
public class BadRequestException extends EnjambreException {
    private static final long serialVersionUID = 1L;

    /** See {@link EnjambreException#EnjambreException(int, String, String, String, Throwable)}. */
    public BadRequestException(int status, String code, String message, String field, Throwable cause) {
        super(status, code, message, field, cause);
    }
}
