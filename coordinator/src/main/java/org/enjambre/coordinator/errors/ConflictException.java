package org.enjambre.coordinator.errors;

/** The thing exists but is not in a state that allows the request (a job's result before it completed). */
public final class ConflictException extends DomainException {
    public ConflictException(String code, String message) {
        super(code, message, null);
    }
}
