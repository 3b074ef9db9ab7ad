package org.enjambre.workunits.transition;

import org.enjambre.workunits.model.WorkUnit;

import java.util.List;
import java.util.Objects;

/**
 * The result of applying an event to a work unit: the new unit and what must happen next, or a
 * refusal that leaves the unit as it was.
 *
 * @param unit      the unit after the event (the same instance when nothing changed)
 * @param effects   what changed, for credit, reputation, scheduling and assimilation
 * @param rejection why the event was refused, or {@code null} when it was accepted
 */
public record Decision(WorkUnit unit, List<Effect> effects, Rejection rejection) {
    public Decision {
        Objects.requireNonNull(unit, "unit");
        effects = List.copyOf(effects);
    }

    /** Why an event was refused. */
    public enum Reason {
        /** No replica could be sent: none unsent, or the worker (account, host) already has one. */
        NOTHING_TO_ISSUE,
        /** The replica does not exist. */
        UNKNOWN_TASK,
        /** The replica was not sent to this worker. */
        NOT_YOURS,
        /** The replica was already reported with a different outcome or output. */
        CONFLICT
    }

    /** A refusal and its message. */
    public record Rejection(Reason reason, String message) implements java.io.Serializable {
    }

    public static Decision accepted(WorkUnit unit, List<Effect> effects) {
        return new Decision(unit, effects, null);
    }

    public static Decision rejected(WorkUnit unit, Reason reason, String message) {
        return new Decision(unit, List.of(), new Rejection(reason, message));
    }

    public boolean isAccepted() {
        return rejection == null;
    }

    /** Whether the unit changed (a duplicate report is accepted and changes nothing). */
    public boolean changed(WorkUnit before) {
        return unit.version() != before.version();
    }
}
