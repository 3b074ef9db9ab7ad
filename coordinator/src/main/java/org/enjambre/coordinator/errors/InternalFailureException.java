package org.enjambre.coordinator.errors;

/** A fault of the coordinator itself (stored data missing, rendering failed), not of the request. */
public final class InternalFailureException extends DomainException {
    public InternalFailureException(String code, String message) {
        super(code, message, null);
    }
}
