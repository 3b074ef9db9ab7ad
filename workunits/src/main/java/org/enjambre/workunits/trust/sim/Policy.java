package org.enjambre.workunits.trust.sim;

import org.enjambre.workunits.spec.Redundancy;
import org.enjambre.workunits.trust.ReplicationPolicy;

import java.util.Objects;

/**
 * A sabotage-tolerance policy under test: the job's redundancy (quorum or credibility threshold,
 * spot-check rate, adaptive flag), the replication policy, and the credibility and spot-check settings.
 *
 * @param name                    a short name for tables
 * @param redundancy              the job's redundancy policy
 * @param replication             how many replicas a unit gets when first issued
 * @param assumedSaboteurFraction the f credibility assumes (used only when {@code redundancy} is credibility-based)
 * @param warmupChecks            workers with fewer passed spot-checks are checked at {@code warmupRate}
 * @param warmupRate              the spot-check rate of new workers (when higher than the job's)
 */
public record Policy(String name, Redundancy redundancy, ReplicationPolicy replication, double assumedSaboteurFraction,
                     int warmupChecks, double warmupRate) {
    public Policy {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(redundancy, "redundancy");
        Objects.requireNonNull(replication, "replication");
    }

    /** Sarmenta's m-first voting: m replicas, the first m agreeing results win, no spot-checks. */
    public static Policy voting(int m) {
        return new Policy(m + "-first voting", new Redundancy(m, m, 3, Math.max(6, 3 * m), false),
                ReplicationPolicy.fixed(), 0.1, 0, 0);
    }
}
