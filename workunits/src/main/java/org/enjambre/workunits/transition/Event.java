package org.enjambre.workunits.transition;

import org.enjambre.workunits.model.WorkerRef;

import java.util.Objects;

/** Something that happens to a work unit. */
public sealed interface Event extends java.io.Serializable {

    /** Send one unsent replica to {@code worker}, due at {@code deadline}. */
    record Issue(WorkerRef worker, long now, long deadline) implements Event {
        public Issue {
            Objects.requireNonNull(worker, "worker");
        }
    }

    /** {@code workerId} reports an output for replica {@code replica}. */
    record Success(int replica, String workerId, byte[] output, long now) implements Event {
        public Success {
            Objects.requireNonNull(workerId, "workerId");
            Objects.requireNonNull(output, "output");
        }
    }

    /** {@code workerId} reports that replica {@code replica} failed on it. */
    record ClientError(int replica, String workerId, String message, long now) implements Event {
        public ClientError {
            Objects.requireNonNull(workerId, "workerId");
            message = message == null ? "unknown error" : message;
        }
    }

    /** Time passed: every replica in progress whose deadline is at or before {@code now} gets no reply. */
    record DeadlinePassed(long now) implements Event {
    }

    /** The job was cancelled. */
    record Cancel(String reason, long now) implements Event {
    }
}
