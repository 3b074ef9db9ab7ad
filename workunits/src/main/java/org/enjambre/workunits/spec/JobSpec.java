package org.enjambre.workunits.spec;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * A validated job, as submitted: which app, its input, how many work units, how redundantly.
 * Built only by {@link JobSpecParser}, which fills the defaults and checks every rule.
 *
 * @param name            a human name (default: the app's name and "job")
 * @param app             the app that splits, runs and merges the work
 * @param input           the app's input, already validated by the app
 * @param workUnits       how many work units the job is split into
 * @param redundancy      the redundancy policy of every unit
 * @param deadlineSeconds how long a worker has to report a task (BOINC {@code delay_bound})
 * @param priority        higher runs first; equal priorities share workers fairly
 */
public record JobSpec(String name, String app, JsonNode input, int workUnits, Redundancy redundancy,
                      int deadlineSeconds, int priority) {
    public JobSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(redundancy, "redundancy");
    }

    /** The deadline of one task, in milliseconds. */
    public long deadlineMillis() {
        return deadlineSeconds * 1000L;
    }
}
