package org.enjambre.workunits.trust.sim;

import org.enjambre.workunits.spec.Redundancy;

import java.util.Objects;

/**
 * A sabotage-tolerance policy under test: a job's redundancy (quorum or credibility threshold, spot-check
 * rate, adaptive flag), exactly as a job spec would give it. Everything else (warm-up, adaptive threshold,
 * credibility planning, credibility wait) is {@link org.enjambre.workunits.trust.TrustRules#PRODUCTION}.
 *
 * @param name       a short name for tables
 * @param redundancy the job's redundancy policy
 */
public record Policy(String name, Redundancy redundancy) {
    public Policy {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(redundancy, "redundancy");
    }

    /** Sarmenta's m-first voting: m replicas, the first m agreeing results win, no spot-checks. */
    public static Policy voting(int m) {
        return new Policy(m + "-first voting", new Redundancy(m, m, 3, Math.max(6, 3 * m), false));
    }
}
