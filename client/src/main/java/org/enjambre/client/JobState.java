package org.enjambre.client;

/** Where a job is in its life: {@code QUEUED → RUNNING → COMPLETED | FAILED | CANCELLED}. */
public enum JobState {
    QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED;

    /** True for the states a job never leaves: COMPLETED, FAILED, CANCELLED. */
    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
