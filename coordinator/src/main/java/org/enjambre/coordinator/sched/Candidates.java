package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.trust.Credibility;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The workers that fetched from this peer lately, with their credibility then: whom the credibility planner
 * expects to compute a unit's other replicas ({@link org.enjambre.workunits.trust.CredibilityPlan}).
 * Thread-safe; reads time only from its clock.
 */
final class Candidates {
    /** How long a worker counts as a candidate after its last fetch here. */
    static final long RECENT_MILLIS = 60_000;

    private record Seen(double credibility, long at) {
    }

    private final Credibility credibility;
    private final Clock clock;
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    Candidates(Credibility credibility, Clock clock) {
        this.credibility = credibility;
        this.clock = clock;
    }

    /** Notes that {@code worker} fetched now (a blacklisted one is forgotten). */
    void seen(WorkerRecord worker) {
        if (worker.blacklisted()) {
            seen.remove(worker.id());
        } else {
            seen.put(worker.id(), new Seen(credibility.ofWorker(worker.trust()), clock.millis()));
        }
    }

    /** The credibilities of the recent candidates other than {@code except}; the stale are forgotten. */
    double[] credibilities(String except) {
        long now = clock.millis();
        seen.values().removeIf(s -> now - s.at() > RECENT_MILLIS);
        return seen.entrySet().stream().filter(e -> !e.getKey().equals(except))
                .mapToDouble(e -> e.getValue().credibility()).toArray();
    }
}
