package org.enjambre.workunits.model;

/** Where one replica of a work unit is (BOINC's server state): not sent, on a worker, or over. */
public enum TaskState { UNSENT, IN_PROGRESS, OVER }
