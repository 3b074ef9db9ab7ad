package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.store.Store;
import org.enjambre.workunits.model.WorkUnit;

import java.util.Optional;

/**
 * The durable store as the scheduling components use it. A report's changes are written now (durable
 * before the worker hears of them); issued replicas later (a crash may lose them: they come back unsent).
 */
public interface Durable {

    /** Writes the batch and waits for the commit. */
    void writeNow(Store.Batch batch);

    /** Writes the batch soon, without waiting; a crash before then may lose it. */
    void writeLater(Store.Batch batch);

    /** A stored unit (units of finished jobs are only here). */
    Optional<WorkUnit> unit(String jobId, int index);

    /** The JDBC store. */
    static Durable of(Store store) {
        return new Durable() {
            @Override
            public void writeNow(Store.Batch batch) {
                store.writeNow(batch);
            }

            @Override
            public void writeLater(Store.Batch batch) {
                store.writeLater(batch);
            }

            @Override
            public Optional<WorkUnit> unit(String jobId, int index) {
                return store.unit(jobId, index);
            }
        };
    }
}
