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

    /**
     * {@code workerId} reports an output for replica {@code replica}; {@code credibility} is the worker's
     * credibility now (0 when unknown), kept with the result for credibility-based acceptance.
     */
    record Success(int replica, String workerId, byte[] output, long now, double credibility) implements Event {
        public Success {
            Objects.requireNonNull(workerId, "workerId");
            Objects.requireNonNull(output, "output");
            if (!(credibility >= 0 && credibility <= 1)) {
                throw new IllegalArgumentException("credibility " + credibility + " is not in [0, 1]");
            }
        }

        /** A report from a worker whose credibility is not known. */
        public Success(int replica, String workerId, byte[] output, long now) {
            this(replica, workerId, output, now, 0);
        }
    }

    /**
     * {@code workerId}'s credibility is now {@code credibility} (it passed spot-checks): its results that wait
     * for validation take it, and their units are judged again.
     */
    record Credible(String workerId, double credibility, long now) implements Event {
        public Credible {
            Objects.requireNonNull(workerId, "workerId");
            if (!(credibility >= 0 && credibility <= 1)) {
                throw new IllegalArgumentException("credibility " + credibility + " is not in [0, 1]");
            }
        }
    }

    /**
     * A unit whose results wait for credibility with no replica in progress waited too long (its workers
     * went away, or nothing can raise their credibility): it gets one more replica, or fails when
     * {@code maxResults} replicas exist already.
     */
    record Stalled(long now) implements Event {
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

    /**
     * The replica {@code workerId} holds in progress on this unit (at most one: placement) is taken back,
     * not by its fault: {@code reason} says why (blacklisted, revoked, deregistered, not held any more).
     */
    record Release(String workerId, String reason, long now) implements Event {
        public Release {
            Objects.requireNonNull(workerId, "workerId");
            reason = reason == null ? "released" : reason;
        }
    }

    /** The job was cancelled. */
    record Cancel(String reason, long now) implements Event {
    }
}
