package org.enjambre.worker.protocol;

/** A worker-protocol call that did not succeed; the subclass says whether and how to retry. */
public abstract sealed class CoordinatorException extends Exception
        permits CoordinatorUnavailableException, UnauthorizedException, RequestRejectedException {

    protected CoordinatorException(String message, Throwable cause) {
        super(message, cause);
    }
}
