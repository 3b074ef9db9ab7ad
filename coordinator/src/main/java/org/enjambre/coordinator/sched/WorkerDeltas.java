package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.trust.Reputation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one batch of unit changes means for each worker (credit, reports, evidence), accumulated in place: a
 * report of n tasks adds n entries in O(n), where merging immutable {@link WorkerRecord.Stats} copied each worker's
 * evidence list at every step (O(n²) allocation, 7 % of the coordinator's allocation in the real-worker bench).
 * Not thread-safe: one per batch, on the thread handling it.
 */
final class WorkerDeltas {
    private static final class Tally {
        double credit;
        long reported;
        final List<Reputation.Evidence> evidence = new ArrayList<>();

        WorkerRecord.Stats stats() {
            return new WorkerRecord.Stats(credit, reported, evidence);
        }
    }

    private final Map<String, Tally> byWorker = new HashMap<>();

    private Tally of(String workerId) {
        return byWorker.computeIfAbsent(workerId, k -> new Tally());
    }

    void reported(String workerId) {
        of(workerId).reported++;
    }

    void valid(String workerId, double credit) {
        Tally t = of(workerId);
        t.credit += credit;
        t.evidence.add(Reputation.Evidence.VALID);
    }

    /** One more piece of {@code evidence} (not VALID: that comes with its credit) about {@code workerId}. */
    void evidence(String workerId, Reputation.Evidence evidence) {
        of(workerId).evidence.add(evidence);
    }

    /** The worker's delta so far, or {@code null} when this batch says nothing of it. */
    WorkerRecord.Stats get(String workerId) {
        Tally t = byWorker.get(workerId);
        return t == null ? null : t.stats();
    }

    /** Every worker's delta, for {@link WorkerDirectory#apply}. */
    Map<String, WorkerRecord.Stats> stats() {
        Map<String, WorkerRecord.Stats> out = new HashMap<>(byWorker.size() * 2);
        byWorker.forEach((id, t) -> out.put(id, t.stats()));
        return out;
    }
}
