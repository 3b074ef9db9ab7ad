package org.enjambre.worker.store;

import org.enjambre.worker.protocol.AssignedTask;

import java.util.Objects;

/** A task the worker accepted, as kept in {@code tasks/}: the task, who fetched it, and when. */
public record StoredTask(AssignedTask task, String workerId, long acceptedAtMillis) {
    public StoredTask {
        Objects.requireNonNull(task, "task");
    }

    public String id() {
        return task.id();
    }
}
