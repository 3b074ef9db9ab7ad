package org.enjambre.workunits.model;

/** How a replica ended; meaningful once its state is {@link TaskState#OVER}. */
public enum Outcome {
    /** Not over yet. */
    NONE,
    /** The worker reported an output. */
    SUCCESS,
    /** The worker reported that the unit failed on it, or its output was malformed. */
    CLIENT_ERROR,
    /** The deadline passed without a report. */
    NO_REPLY,
    /** Not needed any more: the unit was done, failed or cancelled first. */
    DIDNT_NEED,
    /**
     * Taken back by the coordinator while in progress (BOINC's "not the worker's fault" outcomes): its worker
     * was blacklisted, revoked or deregistered, or said it no longer holds it. A new replica replaces it; it
     * counts neither as an error nor toward {@code maxResults}.
     */
    RELEASED
}
