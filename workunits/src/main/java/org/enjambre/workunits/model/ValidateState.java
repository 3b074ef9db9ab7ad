package org.enjambre.workunits.model;

/** What validation made of a successful replica. */
public enum ValidateState {
    /** Not validated yet (or not a success). */
    PENDING,
    /** Agrees with the canonical result; earns credit. */
    VALID,
    /** Disagrees with the canonical result; costs reputation. */
    INVALID,
    /** The unit failed before this result could be judged. */
    INCONCLUSIVE
}
