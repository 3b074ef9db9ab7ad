package org.enjambre.coordinator.errors;

/** Missing or wrong credentials: code {@code UNAUTHENTICATED}. */
public final class UnauthenticatedException extends DomainException {
    public UnauthenticatedException(String message) {
        super("UNAUTHENTICATED", message, null);
    }

    /** Refused credentials with a more precise code (e.g. {@code REVOKED}). */
    public UnauthenticatedException(String code, String message) {
        super(code, message, null);
    }
}
