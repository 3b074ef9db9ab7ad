package org.enjambre.coordinator.sched.mem;

import org.enjambre.coordinator.sched.WorkerDirectory;
import org.enjambre.coordinator.model.WorkerRecord;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Worker records in memory, for component tests and the whole-swarm simulation. Thread-safe (one lock). */
public final class MemWorkers implements WorkerDirectory {
    private final Map<String, WorkerRecord> workers = new TreeMap<>();
    private final Clock clock;

    public MemWorkers(Clock clock) {
        this.clock = clock;
    }

    /** Adds or replaces a worker record. */
    public synchronized void put(WorkerRecord w) {
        workers.put(w.id(), w);
    }

    /** The worker's record now, or {@code null}. */
    public synchronized WorkerRecord get(String id) {
        return workers.get(id);
    }

    @Override
    public synchronized List<WorkerRecord> apply(Map<String, WorkerRecord.Stats> deltas) {
        List<WorkerRecord> out = new ArrayList<>();
        long now = clock.millis();
        for (Map.Entry<String, WorkerRecord.Stats> e : new TreeMap<>(deltas).entrySet()) {
            WorkerRecord w = workers.get(e.getKey());
            if (w != null) {
                w = w.plus(e.getValue(), now);
                workers.put(w.id(), w);
                out.add(w);
            }
        }
        return out;
    }
}
