package org.enjambre.coordinator.errors;

/** Input that breaks a rule (a field out of range, a malformed spec); names the field. */
public final class InvalidInputException extends DomainException {
    public InvalidInputException(String code, String message, String field) {
        super(code, message, field);
    }

    /** The generic kind: code {@code BAD_REQUEST}. */
    public static InvalidInputException of(String message, String field) {
        return new InvalidInputException("BAD_REQUEST", message, field);
    }
}
