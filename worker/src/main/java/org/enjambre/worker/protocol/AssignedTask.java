package org.enjambre.worker.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One task sent by a coordinator (TASK in {@code docs/api.md}): a replica {@code jobId/unitIndex/replica}
 * of a work unit, its app, its input bytes, its deadline, its cost, and the sha256 of a blob it needs.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AssignedTask(String id, String app, byte[] input, String deadline, long deadlineMillis, double cost, String blob) {

    /** The deadline in epoch millis: {@code deadlineMillis}, else the parsed {@code deadline}, else never. */
    @JsonIgnore
    public long deadlineEpochMillis() {
        if (deadlineMillis > 0) {
            return deadlineMillis;
        }
        if (deadline != null) {
            try {
                return Instant.parse(deadline).toEpochMilli();
            } catch (DateTimeParseException e) {
                return Long.MAX_VALUE;
            }
        }
        return Long.MAX_VALUE;
    }

    /** What is wrong with this task as sent, or {@code null} when it can be run. */
    @JsonIgnore
    public String problem() {
        if (id == null || id.isBlank()) {
            return "a task has no id";
        }
        if (app == null || app.isBlank()) {
            return "task " + id + " names no app";
        }
        if (input == null) {
            return "task " + id + " has no input";
        }
        if (blob != null && !blob.matches("[0-9a-f]{64}")) {
            return "task " + id + " names a blob that is not a lowercase sha256: " + blob;
        }
        return null;
    }

    /** The id of the work unit this task is a replica of: the id without its last {@code /replica} part. */
    @JsonIgnore
    public static String unitOf(String taskId) {
        int slash = taskId.lastIndexOf('/');
        return slash > 0 ? taskId.substring(0, slash) : taskId;
    }
}
