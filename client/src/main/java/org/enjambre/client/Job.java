package org.enjambre.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A snapshot of one job as the coordinator showed it: its state, progress and work-unit counts, and the whole
 * view ({@link #json()}: redundancy, task counts, timings, ETA, blockers...).
 *
 * @param id       the job's id ({@code j-...})
 * @param progress done work units over all of them, 0.0 to 1.0 (1.0 once COMPLETED)
 * @param failure  why the job FAILED or was CANCELLED, else null
 */
public record Job(String id, String name, String app, JobState state, int priority, double progress,
                  WorkUnitCounts workUnits, String failure, JsonNode json) {

    /** Invariant: {@code json} is a private copy, never handed out (JSON trees are mutable). */
    public Job {
        json = json == null ? null : json.deepCopy();
    }

    /** The job's whole view as the API sent it (a copy). */
    @Override
    public JsonNode json() {
        return json == null ? null : json.deepCopy();
    }

    /** True once the job ended: COMPLETED, FAILED or CANCELLED. */
    public boolean terminal() {
        return state.terminal();
    }

    /** Whether two snapshots show the same thing (the whole view, timings included). */
    boolean sameAs(Job other) {
        return other != null && json != null && json.equals(other.json);
    }
}
