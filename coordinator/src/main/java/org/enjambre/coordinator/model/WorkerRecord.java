package org.enjambre.coordinator.model;

import org.enjambre.workunits.trust.Reputation;
import org.enjambre.workunits.trust.Reputation.Evidence;

import java.util.ArrayList;
import java.util.List;

/**
 * A registered worker as the cluster keeps it (map {@code workers}, table {@code workers}): what it
 * said about itself, its token's hash, and its validated history.
 *
 * <p>The history fields are a {@link Reputation} spread out for the store and the wire; every change to
 * them goes through {@link Reputation#after} (see {@link #plus}), so the coordinator runs the trust
 * package's rules and no copy of them.
 *
 * @param tokenHash        SHA-256 (hex) of the worker's bearer token; the token itself is never stored
 * @param consecutiveValid valid results and passed spot-checks since its last invalid result or failed
 *                         spot-check ({@link Reputation#consecutiveValid()}: adaptive replication)
 * @param reportedTasks    results reported in all (valid, invalid, pending or errors)
 * @param visit            its visit history and measured speed (browsers: {@link VisitStats}); never null
 */
public record WorkerRecord(String id, String tokenHash, String name, String platform, int cores, long memoryMb,
                           List<String> apps, String account, String host, long registeredAt, long lastSeen,
                           double credit, long valid, long invalid, long errors, long reportedTasks,
                           long consecutiveValid, boolean blacklisted, long spotChecksPassed, long spotChecksFailed,
                           long version, VisitStats visit) {
    public WorkerRecord {
        apps = List.copyOf(apps);
        visit = visit == null ? VisitStats.NONE : visit; // a record stored before visits were kept
    }

    /** A record without visit history. */
    public WorkerRecord(String id, String tokenHash, String name, String platform, int cores, long memoryMb,
                        List<String> apps, String account, String host, long registeredAt, long lastSeen,
                        double credit, long valid, long invalid, long errors, long reportedTasks,
                        long consecutiveValid, boolean blacklisted, long spotChecksPassed, long spotChecksFailed,
                        long version) {
        this(id, tokenHash, name, platform, cores, memoryMb, apps, account, host, registeredAt, lastSeen, credit, valid,
                invalid, errors, reportedTasks, consecutiveValid, blacklisted, spotChecksPassed, spotChecksFailed, version,
                VisitStats.NONE);
    }

    /** This record with {@code v} as its visit history (a new version). */
    public WorkerRecord withVisit(VisitStats v) {
        return new WorkerRecord(id, tokenHash, name, platform, cores, memoryMb, apps, account, host, registeredAt,
                lastSeen, credit, valid, invalid, errors, reportedTasks, consecutiveValid, blacklisted, spotChecksPassed,
                spotChecksFailed, version + 1, v);
    }

    /** Its history in the terms of the trust policies (adaptive replication, spot-checks, credibility). */
    public Reputation trust() {
        return new Reputation(valid, invalid, errors, consecutiveValid, spotChecksPassed, spotChecksFailed, blacklisted);
    }

    /** A score in [0, 1] for people and dashboards: {@link Reputation#score()}. */
    public double reputation() {
        return trust().score();
    }

    /** This record after a batch of judged results, errors and spot-check verdicts, applied in their order. */
    public WorkerRecord plus(Stats d, long now) {
        Reputation r = trust();
        for (Evidence e : d.evidence()) {
            r = r.after(e);
        }
        return new WorkerRecord(id, tokenHash, name, platform, cores, memoryMb, apps, account, host, registeredAt,
                Math.max(lastSeen, now), credit + d.credit(), r.valid(), r.invalid(), r.errors(),
                reportedTasks + d.reported(), r.consecutiveValid(), r.blacklisted(),
                r.spotChecksPassed(), r.spotChecksFailed(), version + 1, visit);
    }

    public WorkerRecord seen(long now) {
        return new WorkerRecord(id, tokenHash, name, platform, cores, memoryMb, apps, account, host, registeredAt,
                now, credit, valid, invalid, errors, reportedTasks, consecutiveValid, blacklisted, spotChecksPassed,
                spotChecksFailed, version + 1, visit);
    }

    /**
     * A change to a worker's history, summed over one batch: credit earned, results reported, and the
     * evidence judged, in order (the order matters: an invalid result resets consecutive valid results).
     */
    public record Stats(double credit, long reported, List<Evidence> evidence) implements java.io.Serializable {
        public static final Stats NONE = new Stats(0, 0, List.of());

        public Stats {
            evidence = List.copyOf(evidence);
        }

        private Stats with(double c, long r, Evidence e) {
            List<Evidence> more = new ArrayList<>(evidence.size() + 1);
            more.addAll(evidence);
            more.add(e);
            return new Stats(credit + c, reported + r, more);
        }

        public Stats plusValid(double c) {
            return with(c, 0, Evidence.VALID);
        }

        /** A passed spot-check. */
        public Stats plusSpotPassed() {
            return with(0, 0, Evidence.SPOT_CHECK_PASSED);
        }

        /** A failed spot-check: the worker is blacklisted. */
        public Stats plusSpotFailed() {
            return with(0, 0, Evidence.SPOT_CHECK_FAILED);
        }

        /** Passed spot-checks in this batch. */
        public long spotPassed() {
            return evidence.stream().filter(e -> e == Evidence.SPOT_CHECK_PASSED).count();
        }

        public boolean isEmpty() {
            return equals(NONE);
        }
    }
}
