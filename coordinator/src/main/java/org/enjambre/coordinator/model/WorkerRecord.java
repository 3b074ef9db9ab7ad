package org.enjambre.coordinator.model;

import java.util.List;

/**
 * A registered worker as the cluster keeps it (map {@code workers}, table {@code workers}): what it
 * said about itself, its token's hash, and its validated history.
 *
 * @param tokenHash        SHA-256 (hex) of the worker's bearer token; the token itself is never stored
 * @param consecutiveValid valid results since its last invalid one (adaptive replication)
 * @param reportedTasks    results reported in all (valid, invalid, pending or errors)
 */
public record WorkerRecord(String id, String tokenHash, String name, String platform, int cores, long memoryMb,
                           List<String> apps, String account, String host, long registeredAt, long lastSeen,
                           double credit, long valid, long invalid, long errors, long reportedTasks,
                           long consecutiveValid, boolean blacklisted, long spotChecksPassed, long spotChecksFailed,
                           long version) {
    public WorkerRecord {
        apps = List.copyOf(apps);
    }

    /** Its history in the terms of the trust policies (adaptive replication, credibility). */
    public org.enjambre.workunits.trust.Reputation trust() {
        return new org.enjambre.workunits.trust.Reputation(valid, invalid, errors, consecutiveValid, spotChecksPassed,
                spotChecksFailed, blacklisted);
    }

    /** A score in [0, 1] from validated history: Laplace-smoothed share of valid results, errors weigh half. */
    public double reputation() {
        return (valid + 1.0) / (valid + invalid + 0.5 * errors + 2.0);
    }

    /** This record after a batch of judged results and errors. */
    public WorkerRecord plus(Stats d, long now) {
        long consecutive = d.invalid() > 0 || d.spotFailed() > 0 ? d.validAfterLastInvalid() : consecutiveValid + d.valid();
        return new WorkerRecord(id, tokenHash, name, platform, cores, memoryMb, apps, account, host, registeredAt,
                Math.max(lastSeen, now), credit + d.credit(), valid + d.valid(), invalid + d.invalid(), errors + d.errors(),
                reportedTasks + d.reported(), consecutive, blacklisted || d.blacklist(),
                spotChecksPassed + d.spotPassed(), spotChecksFailed + d.spotFailed(), version + 1);
    }

    public WorkerRecord seen(long now) {
        return new WorkerRecord(id, tokenHash, name, platform, cores, memoryMb, apps, account, host, registeredAt,
                now, credit, valid, invalid, errors, reportedTasks, consecutiveValid, blacklisted, spotChecksPassed,
                spotChecksFailed, version + 1);
    }

    /** A change to a worker's history, summed over one batch. */
    public record Stats(double credit, long valid, long invalid, long errors, long reported, long validAfterLastInvalid,
                        boolean blacklist, long spotPassed, long spotFailed) implements java.io.Serializable {
        public static final Stats NONE = new Stats(0, 0, 0, 0, 0, 0, false, 0, 0);

        public Stats plusValid(double c) {
            return new Stats(credit + c, valid + 1, invalid, errors, reported, validAfterLastInvalid + 1, blacklist, spotPassed, spotFailed);
        }

        public Stats plusInvalid() {
            return new Stats(credit, valid, invalid + 1, errors, reported, 0, blacklist, spotPassed, spotFailed);
        }

        public Stats plusError() {
            return new Stats(credit, valid, invalid, errors + 1, reported, validAfterLastInvalid, blacklist, spotPassed, spotFailed);
        }

        public Stats plusReported() {
            return new Stats(credit, valid, invalid, errors, reported + 1, validAfterLastInvalid, blacklist, spotPassed, spotFailed);
        }

        /** A passed spot-check. */
        public Stats plusSpotPassed() {
            return new Stats(credit, valid, invalid, errors, reported, validAfterLastInvalid, blacklist, spotPassed + 1, spotFailed);
        }

        /** A failed spot-check: the worker is blacklisted. */
        public Stats plusSpotFailed() {
            return new Stats(credit, valid, invalid, errors, reported, 0, true, spotPassed, spotFailed + 1);
        }

        public Stats plus(Stats o) {
            return new Stats(credit + o.credit, valid + o.valid, invalid + o.invalid, errors + o.errors,
                    reported + o.reported, o.invalid > 0 || o.spotFailed > 0 ? o.validAfterLastInvalid
                    : validAfterLastInvalid + o.validAfterLastInvalid,
                    blacklist || o.blacklist, spotPassed + o.spotPassed, spotFailed + o.spotFailed);
        }

        public boolean isEmpty() {
            return equals(NONE);
        }
    }
}
