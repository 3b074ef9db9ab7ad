package org.enjambre.workunits.model;

import java.util.Objects;

/**
 * Who a replica is sent to. No two replicas of one unit go to the same worker, nor to the same
 * account or host when those are given (a {@code null} account or host means "don't check").
 */
public record WorkerRef(String workerId, String accountId, String hostId) implements java.io.Serializable {
    public WorkerRef {
        Objects.requireNonNull(workerId, "workerId");
    }

    public static WorkerRef of(String workerId) {
        return new WorkerRef(workerId, null, null);
    }
}
