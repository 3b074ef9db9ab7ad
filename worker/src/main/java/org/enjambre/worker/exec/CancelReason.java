package org.enjambre.worker.exec;

/** Why a running task was told to stop. */
public enum CancelReason {
    /** The worker is stopping: the task and its checkpoint stay, to resume on the next start. */
    SHUTDOWN("the worker is stopping"),
    /** The task's deadline passed: the coordinator has given it to someone else, so it is dropped. */
    DEADLINE("the task's deadline passed"),
    /** Still queued, it could not finish before its deadline by its estimated run time: dropped unrun. */
    CANNOT_MEET_DEADLINE("by its estimated run time it cannot finish before its deadline");

    private final String message;

    CancelReason(String message) {
        this.message = message;
    }

    public String message() {
        return message;
    }
}
