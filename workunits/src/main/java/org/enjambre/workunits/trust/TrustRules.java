package org.enjambre.workunits.trust;

import org.enjambre.workunits.spec.Redundancy;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The rule set against saboteurs, in one place: what the coordinator runs ({@link #PRODUCTION}) and what
 * the simulation of SABOTAGE.md runs, so that its tables describe production.
 *
 * @param credibility     Sarmenta's credibility under the assumed saboteur fraction f (the same on every peer)
 * @param plan            how many replicas a credibility-based unit gets up front
 * @param spotChecks      how often a worker is spot-checked, warm-up included
 * @param adaptive        BOINC's adaptive replication, with passed spot-checks as part of the proof of trust
 * @param credibilityWait how long a unit's results may wait for credibility, with nothing in progress, before it
 *                        gets one more replica (instead of waiting for spot-checks that may take far longer)
 */
public record TrustRules(Credibility credibility, CredibilityPlan plan, SpotCheckRate spotChecks,
                         ReplicationPolicy.Adaptive adaptive, Duration credibilityWait) {
    /** The assumed saboteur fraction f of production. */
    public static final double ASSUMED_SABOTEUR_FRACTION = 0.1;
    /** Passed spot-checks a new worker is checked at the warm-up rate for, at least. */
    public static final int WARMUP_CHECKS = 5;
    /** The warm-up spot-check rate: the highest a job may ask for. */
    public static final double WARMUP_RATE = 0.5;
    /** BOINC's threshold of consecutive valid results for adaptive replication. */
    public static final int ADAPTIVE_THRESHOLD = 10;
    /** Passed spot-checks adaptive replication also requires, for jobs that spot-check. */
    public static final int ADAPTIVE_SPOT_CHECKS = 10;
    /**
     * Units a worker that has passed no spot-check may hold in progress of a job that spot-checks; each passed check
     * doubles it, and the warm-up's last check ({@link #WARMUP_CHECKS}) lifts it (BOINC limits a new host's jobs in
     * progress the same way).
     */
    public static final int PROBATION_UNITS = 4;
    /** The default of {@link #credibilityWait}. */
    public static final Duration DEFAULT_CREDIBILITY_WAIT = Duration.ofSeconds(30);

    /** What the coordinator runs. */
    public static final TrustRules PRODUCTION = withWait(DEFAULT_CREDIBILITY_WAIT);

    public TrustRules {
        Objects.requireNonNull(credibility, "credibility");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(spotChecks, "spotChecks");
        Objects.requireNonNull(adaptive, "adaptive");
        Objects.requireNonNull(credibilityWait, "credibilityWait");
        if (credibilityWait.isNegative()) {
            throw new IllegalArgumentException("the credibility wait (" + credibilityWait + ") must not be negative");
        }
    }

    /** The production rules with a credibility wait of {@code wait}. */
    public static TrustRules withWait(Duration wait) {
        Credibility c = Credibility.assuming(ASSUMED_SABOTEUR_FRACTION);
        CredibilityPlan plan = new CredibilityPlan(c);
        return new TrustRules(c, plan, new SpotCheckRate(WARMUP_CHECKS, WARMUP_RATE, plan),
                new ReplicationPolicy.Adaptive(ADAPTIVE_THRESHOLD, ADAPTIVE_SPOT_CHECKS), wait);
    }

    /**
     * How many units of a job with policy {@code p} the worker may hold in progress ({@link Long#MAX_VALUE}: no
     * limit): {@link #PROBATION_UNITS} doubled by each spot-check it passed, until its warm-up's checks are passed,
     * for a job that spot-checks. Found with real saboteurs (bench/scripts/saboteur-swarm.sh): a worker fills its
     * buffer in its first second, and a colluder not caught yet took 82 of a 150-unit credibility job's units,
     * each of which cost a recomputation once a check caught it. With the limit a new worker's buffer grows as it
     * proves itself: 4, 8, 16, 32, 64 units, then unbounded.
     */
    public long inProgressLimit(Reputation worker, Redundancy p) {
        long passed = worker.spotChecksPassed();
        if (p.spotCheckRate() == 0 || passed >= spotChecks.warmupChecks()) {
            return Long.MAX_VALUE;
        }
        return (long) PROBATION_UNITS << passed;
    }

    /**
     * The redundancy a unit of a job with policy {@code p} gets when its first replica goes to a worker with
     * reputation {@code worker} (the caller applies it only to a unit none of whose replicas is out, with
     * {@link org.enjambre.workunits.transition.Transitioner#replan}): for a credibility-based job, the replicas
     * {@link CredibilityPlan#replicasUpFront} plans given the credibilities of the workers that could take the
     * others ({@code candidates}), never fewer than the job asks for; for an adaptive job, one replica with
     * {@link ReplicationPolicy.Adaptive#soloProbability(Reputation, Redundancy)}; else {@code p}.
     */
    public Redundancy replicasFor(Redundancy p, Reputation worker, double[] candidates, RandomGenerator random) {
        if (p.credibilityBased()) {
            int max = Math.min(p.maxResults(), Redundancy.MAX_REPLICAS);
            Reputation first = worker;
            double[] others = candidates;
            long warmup = spotChecks.warmupFor(p);
            if (p.spotCheckRate() > 0 && !worker.blacklisted()) {
                // Workers in their warm-up are checked at its high rate while they compute: plan with the credibility
                // they will have when it ends (pairs suffice then), not the stranger's they have now. Waiting for those
                // checks costs nothing while other units keep every worker busy; five replicas planned for every unit
                // handed out in the first second (real workers fill a buffer at once) cost 2.5 times the work
                // (bench/scripts/saboteur-swarm.sh: 4.98 results per unit). A unit that waits anyway gets one more
                // replica after the credibility wait, at once when no check can come (CredibilityJudge).
                if (worker.spotChecksPassed() < warmup) {
                    first = new Reputation(worker.valid(), worker.invalid(), worker.errors(), worker.consecutiveValid(),
                            warmup, worker.spotChecksFailed(), false);
                }
                double floor = credibility.ofChecks(warmup);
                others = candidates.length == 0 ? new double[]{floor} : candidates.clone(); // strangers warm up too
                for (int i = 0; i < others.length; i++) {
                    others[i] = others[i] == 0 ? 0 : Math.max(others[i], floor); // 0: blacklisted
                }
            }
            int n = Math.max(p.replicas(), plan.replicasUpFront(p.credibility(), first, spotChecks.rate(first, p), others, max));
            return n == p.replicas() ? p : p.withReplicas(n, Math.min(p.quorum(), n));
        }
        double solo = adaptive.soloProbability(worker, p);
        return solo > 0 && random.nextDouble() < solo ? p.withReplicas(1, 1) : p;
    }
}
