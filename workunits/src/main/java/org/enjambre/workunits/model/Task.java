package org.enjambre.workunits.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * One replica of a work unit on one worker (BOINC's "result"). Immutable; only
 * {@link org.enjambre.workunits.transition.Transitioner} makes changed copies. Equality compares the
 * output by content, so a unit read back from storage equals the one written; the output array is
 * shared, not copied, so nobody may change it after handing it over.
 *
 * @param replica    its number within the unit, 0-based; the task id is {@code unitId/replica}
 * @param worker     who has it; {@code null} while {@link TaskState#UNSENT}
 * @param state      unsent, in progress, over
 * @param outcome    how it ended
 * @param validate   what validation made of it
 * @param sentAt     when it was sent (epoch millis), 0 while unsent
 * @param deadline   when it times out (epoch millis), 0 while unsent
 * @param reportedAt when its report arrived (epoch millis), 0 before
 * @param output     the reported output while it may still be needed (validation, merging), else {@code null}
 * @param digest     a 64-bit digest of the reported output (0 when none), kept after the output is dropped,
 *                   so that a later report of the same task with a different output is recognized
 * @param error      the client error message, when {@link Outcome#CLIENT_ERROR}
 * @param credibility the credibility of this result (Sarmenta: the probability that it is right, in [0, 1]) as
 *                   last known — its worker's when it reported, raised when the worker passes spot-checks; 0
 *                   when unknown. Used only by credibility-based acceptance.
 */
public record Task(int replica, WorkerRef worker, TaskState state, Outcome outcome, ValidateState validate,
                   long sentAt, long deadline, long reportedAt, byte[] output, long digest, String error,
                   double credibility) {
    public Task {
        if (!(credibility >= 0 && credibility <= 1)) {
            throw new IllegalArgumentException("credibility " + credibility + " is not in [0, 1]");
        }
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(validate, "validate");
        if (state == TaskState.UNSENT && worker != null) {
            throw new IllegalArgumentException("an unsent task has no worker");
        }
        if (state != TaskState.UNSENT && state != TaskState.OVER && worker == null) {
            throw new IllegalArgumentException("a task in progress has a worker");
        }
        if ((state == TaskState.OVER) == (outcome == Outcome.NONE)) {
            throw new IllegalArgumentException("a task has an outcome exactly when it is over");
        }
    }

    /** A task whose credibility is not known (0). */
    public Task(int replica, WorkerRef worker, TaskState state, Outcome outcome, ValidateState validate,
                long sentAt, long deadline, long reportedAt, byte[] output, long digest, String error) {
        this(replica, worker, state, outcome, validate, sentAt, deadline, reportedAt, output, digest, error, 0);
    }

    public static Task unsent(int replica) {
        return new Task(replica, null, TaskState.UNSENT, Outcome.NONE, ValidateState.PENDING, 0, 0, 0, null, 0, null);
    }

    /** The digest of an output: the first 8 bytes of its SHA-256 (never 0 for an output). */
    public static long digestOf(byte[] output) {
        byte[] d = SHA256.get().digest(output);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (d[i] & 0xff);
        }
        return v == 0 ? 1 : v;
    }

    /**
     * One SHA-256 per thread: {@code MessageDigest.getInstance} looks the provider up on every call, which showed in
     * the partition threads' profile (every report digests its output). {@code digest} resets the instance.
     */
    private static final ThreadLocal<java.security.MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    /** Whether {@code out} is the output this task reported (by content, or by digest once dropped). */
    public boolean reported(byte[] out) {
        return output != null ? Arrays.equals(output, out) : digest == 0 || digest == digestOf(out);
    }

    public boolean success() {
        return outcome == Outcome.SUCCESS;
    }

    /**
     * Whether this replica keeps its worker (and the worker's account and host) from another replica of its unit:
     * it was sent and not taken back. A replica taken back ({@link Outcome#RELEASED}: e.g. its worker said at sync
     * it no longer holds it, after a lost fetch answer) left no result and counts as no error, so the worker may
     * compute the unit again: in a small swarm it may be the only one left that can (CommandLineTest: two workers,
     * a released replica, the unit failed after the placement wait). A replica whose deadline passed
     * ({@link Outcome#NO_REPLY}) still binds: a silent worker taking the unit again and again would pile up errors
     * until the unit fails (DeadlineTest), which any dead or malicious worker could do to any job.
     */
    public boolean bindsPlacement() {
        return worker != null && outcome != Outcome.RELEASED;
    }

    public boolean failed() {
        return outcome == Outcome.CLIENT_ERROR || outcome == Outcome.NO_REPLY;
    }

    public String workerId() {
        return worker == null ? null : worker.workerId();
    }

    public Task sent(WorkerRef to, long now, long deadlineAt) {
        return new Task(replica, to, TaskState.IN_PROGRESS, Outcome.NONE, ValidateState.PENDING, now, deadlineAt, 0, null, 0, null);
    }

    public Task over(Outcome how, long now, byte[] out, String err) {
        return new Task(replica, worker, TaskState.OVER, how, ValidateState.PENDING, sentAt, deadline, now, out,
                out == null ? 0 : digestOf(out), err);
    }

    public Task judged(ValidateState v, boolean keepOutput) {
        return new Task(replica, worker, state, outcome, v, sentAt, deadline, reportedAt, keepOutput ? output : null, digest, error,
                credibility);
    }

    /** This task with its result's credibility set to {@code c}. */
    public Task withCredibility(double c) {
        return new Task(replica, worker, state, outcome, validate, sentAt, deadline, reportedAt, output, digest, error, c);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Task t && replica == t.replica && Objects.equals(worker, t.worker) && state == t.state
                && outcome == t.outcome && validate == t.validate && sentAt == t.sentAt && deadline == t.deadline
                && reportedAt == t.reportedAt && Arrays.equals(output, t.output) && digest == t.digest
                && Objects.equals(error, t.error) && Double.compare(credibility, t.credibility) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(replica, worker, state, outcome, validate, sentAt, deadline, reportedAt, Arrays.hashCode(output), digest, error, credibility);
    }

    @Override
    public String toString() {
        return "Task[" + replica + ", " + workerId() + ", " + state + ", " + outcome + ", " + validate + ", sentAt=" + sentAt
                + ", deadline=" + deadline + ", reportedAt=" + reportedAt
                + ", output=" + (output == null ? "none" : output.length + " bytes") + (error == null ? "" : ", error=" + error)
                + (credibility == 0 ? "" : ", credibility=" + credibility) + "]";
    }
}
