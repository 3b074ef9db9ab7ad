package org.enjambre.coordinator.errors;

/** Something asked for by id does not exist: code {@code NOT_FOUND}. */
public final class NotFoundException extends DomainException {
    public NotFoundException(String message) {
        super("NOT_FOUND", message, null);
    }
}
