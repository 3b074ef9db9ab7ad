package org.enjambre.workunits.trust;

import org.enjambre.workunits.spec.Redundancy;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How often a worker gets a known-answer spot-check instead of real work: the one rule the coordinator
 * and the simulation run. A job asks for rate q ({@link Redundancy#spotCheckRate()}); a worker still in
 * its warm-up is checked at {@code max(q, warmupRate)}, so saboteurs are caught early and new workers earn
 * credibility quickly. The warm-up lasts {@code warmupChecks} passed checks and, for a credibility job,
 * until two agreeing results of such workers reach its θ ({@link CredibilityPlan#checksForPair}): from then
 * on the planner needs no more than two replicas of a unit. Rates never exceed
 * {@link Redundancy#MAX_SPOT_CHECK_RATE}.
 *
 * @param warmupChecks passed spot-checks a worker's warm-up lasts at least
 * @param warmupRate   the rate during the warm-up (when higher than the job's)
 * @param plan         the credibility planning that says how long a credibility job's warm-up lasts
 */
public record SpotCheckRate(int warmupChecks, double warmupRate, CredibilityPlan plan) {
    public SpotCheckRate {
        Objects.requireNonNull(plan, "plan");
        if (warmupChecks < 0 || !(warmupRate >= 0 && warmupRate <= Redundancy.MAX_SPOT_CHECK_RATE)) {
            throw new IllegalArgumentException("warm-up of " + warmupChecks + " checks at rate " + warmupRate
                    + ": checks must not be negative and the rate must be in [0, " + Redundancy.MAX_SPOT_CHECK_RATE + "]");
        }
    }

    /** Checks only at the job's rate: no warm-up. */
    public static SpotCheckRate constant(CredibilityPlan plan) {
        return new SpotCheckRate(0, 0, plan);
    }

    /** Passed checks a worker's warm-up lasts for a job with policy {@code p}. */
    public long warmupFor(Redundancy p) {
        long checks = warmupChecks;
        if (p.credibilityBased() && warmupRate > 0) {
            checks = Math.max(checks, plan.checksForPair(p.credibility()));
        }
        return checks;
    }

    /**
     * The probability that the next task {@code worker} fetches from a job with policy {@code p} is a
     * spot-check: 0 for a job without spot-checks and for a blacklisted worker (it gets no work at all).
     */
    public double rate(Reputation worker, Redundancy p) {
        double q = p.spotCheckRate();
        if (q == 0 || worker.blacklisted()) {
            return 0;
        }
        return worker.spotChecksPassed() < warmupFor(p) ? Math.max(q, warmupRate) : q;
    }

    /** Draws whether the next task of {@code worker} for a job with policy {@code p} is a spot-check. */
    public boolean due(Reputation worker, Redundancy p, RandomGenerator random) {
        double r = rate(worker, p);
        return r > 0 && random.nextDouble() < r;
    }
}
