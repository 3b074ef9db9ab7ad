package org.enjambre.workunits.trust.sim;

import org.enjambre.workunits.spec.Redundancy;

import java.util.List;

/**
 * The policies SABOTAGE.md compares, from BOINC's to Enjambre's best: each is a job's {@code redundancy}
 * as a job spec would give it, run under the production rules.
 */
public final class Policies {
    /** The spot-check rate q of the policies that spot-check. */
    public static final double SPOT_CHECK_RATE = 0.1;
    /** The credibility threshold θ of the best policy: an accepted result is wrong with probability at most 1e-4. */
    public static final double THETA = 0.9999;

    private Policies() {
    }

    /** BOINC's default: two replicas that must agree (2-first voting). */
    public static Policy boincQuorum2() {
        return Policy.voting(2);
    }

    /** 3-first voting. */
    public static Policy voting3() {
        return Policy.voting(3);
    }

    /** BOINC's adaptive replication ({@code "adaptive": true}, no spot-checks): quorum 2, trusted workers alone. */
    public static Policy boincAdaptive() {
        return new Policy("BOINC adaptive replication (N=10)", new Redundancy(2, 2, 3, 6, true));
    }

    /** Spot-checks with blacklisting and backtracking, every unit run once and accepted at once. */
    public static Policy spotChecksOnly() {
        return new Policy("spot-checks q=0.1, 1 replica", new Redundancy(1, 1, 3, 6, false, 0, SPOT_CHECK_RATE));
    }

    /** Adaptive replication whose trust needs passed spot-checks too, with spot-checks, blacklisting and backtracking. */
    public static Policy adaptiveWithSpotChecks() {
        return new Policy("adaptive (N=10, 10 checks) + spot-checks q=0.1", new Redundancy(2, 2, 3, 6, true, 0, SPOT_CHECK_RATE));
    }

    /**
     * Enjambre's best: {@code {"replicas":1,"quorum":1,"credibility":0.9999,"spotCheckRate":0.1}}: accepted once
     * its credibility reaches θ = 0.9999 (Sarmenta, f ≤ 0.1 assumed), with the replicas the planner issues up front.
     */
    public static Policy credibility() {
        return credibility(THETA);
    }

    /** Like {@link #credibility()} with threshold {@code theta}. */
    public static Policy credibility(double theta) {
        return new Policy("credibility θ=" + theta + " + spot-checks q=0.1", new Redundancy(1, 1, 3, 6, false, theta, SPOT_CHECK_RATE));
    }

    /** All of them, in table order. */
    public static List<Policy> all() {
        return List.of(boincQuorum2(), voting3(), boincAdaptive(), spotChecksOnly(), adaptiveWithSpotChecks(),
                credibility(0.999), credibility());
    }
}
