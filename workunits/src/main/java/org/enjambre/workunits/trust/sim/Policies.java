package org.enjambre.workunits.trust.sim;

import org.enjambre.workunits.spec.Redundancy;
import org.enjambre.workunits.trust.Credibility;
import org.enjambre.workunits.trust.ReplicationPolicy;

import java.util.List;

/** The policies SABOTAGE.md compares, from BOINC's to Enjambre's best. */
public final class Policies {
    /** The spot-check rate q of the policies that spot-check. */
    public static final double SPOT_CHECK_RATE = 0.1;
    /** The credibility threshold θ of the best policy: an accepted result is wrong with probability at most 1e-4. */
    public static final double THETA = 0.9999;
    /** The saboteur fraction the best policy's credibility assumes. */
    public static final double ASSUMED_F = 0.1;

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

    /** BOINC's adaptive replication: quorum 2, but a worker with 10 consecutive valid results runs units alone with probability 1 - 1/n. */
    public static Policy boincAdaptive() {
        return new Policy("BOINC adaptive replication (N=10)", new Redundancy(2, 2, 3, 6, true),
                ReplicationPolicy.adaptive(10, 0), ASSUMED_F, 0, 0);
    }

    /** Spot-checks with blacklisting and backtracking, every unit run once and accepted at once. */
    public static Policy spotChecksOnly() {
        return new Policy("spot-checks q=0.1, 1 replica", new Redundancy(1, 1, 3, 6, false, 0, SPOT_CHECK_RATE),
                ReplicationPolicy.fixed(), ASSUMED_F, 0, 0);
    }

    /** Adaptive replication whose trust needs passed spot-checks too, with spot-checks, blacklisting and backtracking. */
    public static Policy adaptiveWithSpotChecks() {
        return new Policy("adaptive (N=10, 10 checks) + spot-checks q=0.1", new Redundancy(2, 2, 3, 6, true, 0, SPOT_CHECK_RATE),
                ReplicationPolicy.adaptive(10, 10), ASSUMED_F, 0, 0);
    }

    /**
     * Enjambre's best: one replica per unit, accepted once its credibility reaches θ = 0.9999 (Sarmenta, f ≤ 0.1
     * assumed), spot-checks at q = 0.1 with blacklisting and backtracking, new workers spot-checked at rate 0.5
     * until they have passed enough checks to be credible alone.
     */
    public static Policy credibility() {
        long k = Credibility.assuming(ASSUMED_F).checksFor(THETA);
        return new Policy("credibility θ=0.9999 + spot-checks q=0.1", new Redundancy(1, 1, 3, 6, false, THETA, SPOT_CHECK_RATE),
                ReplicationPolicy.fixed(), ASSUMED_F, (int) k, 0.5);
    }

    /** Like {@link #credibility()} with θ = 0.999: ten times fewer spot-checks to earn, ten times the bound on errors. */
    public static Policy credibility999() {
        long k = Credibility.assuming(ASSUMED_F).checksFor(0.999);
        return new Policy("credibility θ=0.999 + spot-checks q=0.1", new Redundancy(1, 1, 3, 6, false, 0.999, SPOT_CHECK_RATE),
                ReplicationPolicy.fixed(), ASSUMED_F, (int) k, 0.5);
    }

    /** All of them, in table order. */
    public static List<Policy> all() {
        return List.of(boincQuorum2(), voting3(), boincAdaptive(), spotChecksOnly(), adaptiveWithSpotChecks(),
                credibility999(), credibility());
    }
}
