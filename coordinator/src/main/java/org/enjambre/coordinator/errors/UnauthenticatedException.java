package org.enjambre.coordinator.errors;

/** Missing or wrong credentials: code {@code UNAUTHENTICATED}. */
public final class UnauthenticatedException extends DomainException {
    public UnauthenticatedException(String message) {
        super("UNAUTHENTICATED", message, null);
    }
}
