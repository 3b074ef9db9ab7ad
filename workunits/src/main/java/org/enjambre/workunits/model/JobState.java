package org.enjambre.workunits.model;

/** The lifecycle of a job: {@code QUEUED → RUNNING → COMPLETED | FAILED | CANCELLED}. */
public enum JobState {
    QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED;

    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
