package org.enjambre.worker.protocol;

/** The coordinator does not accept the worker's token (401 or 403): the worker registers again. */
public final class UnauthorizedException extends CoordinatorException {
    private final int status;

    public UnauthorizedException(String message, int status) {
        super(message, null);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
