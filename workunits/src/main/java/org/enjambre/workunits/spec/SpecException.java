package org.enjambre.workunits.spec;

/**
 * A job spec (or an app's input) that breaks a rule. {@link #field()} names the offending field
 * in dotted form ({@code redundancy.quorum}, {@code input.to}); the message says the rule.
 */
public final class SpecException extends Exception {
    private final String field;

    public SpecException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The offending field, dotted from the root of the spec, e.g. {@code redundancy.quorum}. */
    public String field() {
        return field;
    }
}
