package org.enjambre.worker.store;

import java.util.Arrays;
import java.util.Objects;

/**
 * A finished task waiting for the coordinator's acknowledgement: its output, or the error that
 * ended it (exactly one). Equal when id, output and error are equal.
 */
public record OutboxEntry(String id, byte[] output, String error, long finishedAtMillis) {
    public OutboxEntry {
        Objects.requireNonNull(id, "id");
        if ((output == null) == (error == null)) {
            throw new IllegalArgumentException("the result of task " + id + " is an output or an error, exactly one");
        }
        output = output == null ? null : output.clone();
    }

    public static OutboxEntry output(String id, byte[] output, long finishedAtMillis) {
        return new OutboxEntry(id, output, null, finishedAtMillis);
    }

    public static OutboxEntry error(String id, String error, long finishedAtMillis) {
        return new OutboxEntry(id, null, error, finishedAtMillis);
    }

    @Override
    public byte[] output() {
        return output == null ? null : output.clone();
    }

    /** The output itself, not a copy (or {@code null}): for {@link JournalJson}, which only reads it. */
    byte[] outputBytes() {
        return output;
    }

    /** Whether this and {@code other} report the same thing for the same task. */
    public boolean sameResult(OutboxEntry other) {
        return id.equals(other.id) && Arrays.equals(output, other.output) && Objects.equals(error, other.error);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OutboxEntry other && sameResult(other) && finishedAtMillis == other.finishedAtMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, Arrays.hashCode(output), error, finishedAtMillis);
    }

    @Override
    public String toString() {
        return "OutboxEntry[" + id + (output != null ? ", " + output.length + " bytes" : ", error " + error) + "]";
    }
}
