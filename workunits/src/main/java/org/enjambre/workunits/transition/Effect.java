package org.enjambre.workunits.transition;

/** What a transition did that others must act on: credit, reputation, scheduling, assimilation. */
public sealed interface Effect extends java.io.Serializable {

    /** Replica {@code replica} was sent to {@code workerId}. */
    record Issued(int replica, String workerId) implements Effect {
    }

    /** {@code count} new unsent replicas were created. */
    record ReplicasCreated(int count) implements Effect {
    }

    /** Replica {@code replica} of {@code workerId} was judged: valid (earns credit) or invalid. */
    record Judged(int replica, String workerId, boolean valid) implements Effect {
    }

    /** Replica {@code replica} of {@code workerId} ended in an error (client error or no reply). */
    record Errored(int replica, String workerId, boolean noReply) implements Effect {
    }

    /** Replica {@code replica} of {@code workerId} was taken back in progress, not by its fault. */
    record Released(int replica, String workerId) implements Effect {
    }

    /** The unit is done; {@code replica} holds the canonical result. */
    record Done(int replica) implements Effect {
    }

    /** The unit failed. */
    record Failed(String reason) implements Effect {
    }
}
