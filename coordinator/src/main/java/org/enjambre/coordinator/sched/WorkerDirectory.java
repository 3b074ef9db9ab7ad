package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.WorkerRecord;

import java.util.List;
import java.util.Map;

/** The workers' records as the scheduling components change them: history deltas. */
@FunctionalInterface
public interface WorkerDirectory {

    /** Applies history changes by worker id; returns the new records, to be written with the batch that caused them. */
    List<WorkerRecord> apply(Map<String, WorkerRecord.Stats> deltas);
}
