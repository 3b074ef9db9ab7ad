package org.enjambre.workunits.trust;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Sarmenta's voting-to-credibility planning: how many agreeing results a credibility-based unit needs to
 * reach its threshold θ, given the credibility of the workers that would compute them, and therefore how
 * many replicas to issue when the unit first goes out.
 *
 * <p>A lone result is accepted once its worker has passed {@link Credibility#checksFor} spot-checks (409
 * for θ = 0.9999 and f = 0.1); until then it waits, and only that worker's spot-checks move it on. Voting
 * is the other way: n agreeing results of credibilities c_i, with no disagreeing result, have credibility
 * Π c_i / (Π c_i + Π (1 − c_i)) (the group formula of {@link Credibility}): two fresh workers (0.9 each)
 * reach 0.988, three 0.9986, four 0.99985, five 0.99998 (the first ≥ 0.9999); two workers that passed 5
 * checks each (0.9918) reach 0.99993.
 * {@link #replicasUpFront} issues the replicas voting needs as soon as waiting for spot-checks would take
 * longer than computing again. Planning never weakens the guarantee: acceptance still requires θ.
 *
 * <p>Immutable and thread-safe.
 */
public final class CredibilityPlan {
    private final Credibility credibility;

    /** Planning with the credibility of workers under {@code credibility}'s assumed saboteur fraction. */
    public CredibilityPlan(Credibility credibility) {
        this.credibility = Objects.requireNonNull(credibility, "credibility");
    }

    /** The credibility model planned with. */
    public Credibility credibility() {
        return credibility;
    }

    /** The credibility of agreeing results of credibilities {@code c}, with no disagreeing result. */
    public static double agreeing(double... c) {
        return c.length == 0 ? 0 : Credibility.ofGroup(0, List.of(c));
    }

    /**
     * How many more agreeing results, taken in order from {@code next}, bring the agreeing results
     * {@code have} to {@code theta}: 0 when {@code have} reach it already, -1 when all of {@code next} do not.
     */
    public static int moreNeeded(double theta, double[] have, double[] next) {
        double[] group = Arrays.copyOf(have, have.length + next.length);
        for (int n = 0; n <= next.length; n++) {
            if (n > 0) {
                group[have.length + n - 1] = next[n - 1];
            }
            if (have.length + n > 0 && agreeing(Arrays.copyOf(group, have.length + n)) >= theta) {
                return n;
            }
        }
        return -1;
    }

    /** How many agreeing results from workers that passed {@code checks} spot-checks each reach {@code theta}. */
    public int agreeingNeeded(double theta, long checks) {
        double c = credibility.ofChecks(checks);
        for (int n = 1; ; n++) {
            double[] group = new double[n];
            Arrays.fill(group, c);
            if (agreeing(group) >= theta) {
                return n;
            }
        }
    }

    /** Spot-checks each of two workers must have passed for two agreeing results of theirs to reach {@code theta}. */
    public long checksForPair(double theta) {
        long alone = credibility.checksFor(theta);
        for (long k = 0; k < alone; k++) {
            double c = credibility.ofChecks(k);
            if (agreeing(c, c) >= theta) {
                return k;
            }
        }
        return alone;
    }

    /**
     * The replicas to issue for a unit none of whose replicas is out yet, when its first goes to a worker with
     * reputation {@code first} that is spot-checked at {@code rate}, and the others would go to workers whose
     * credibilities are {@code candidates} (the workers that could take them; the planner assumes their
     * median). One replica when the first result will be credible alone without waiting longer than computing
     * again: its worker is credible alone already, or the checks it misses take no more than one task at
     * {@code rate}. Otherwise as many as voting needs to reach {@code theta} with the credibilities the workers
     * have now, and {@code max} when even that many would not.
     */
    public int replicasUpFront(double theta, Reputation first, double rate, double[] candidates, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max replicas (" + max + ") must be at least 1");
        }
        if (first.blacklisted()) {
            return 1; // it gets no work; nothing to plan
        }
        long missing = credibility.checksFor(theta) - first.spotChecksPassed();
        if (missing <= 0 || missing <= rate) {
            return 1;
        }
        double others = median(candidates);
        double[] next = new double[max - 1];
        Arrays.fill(next, others);
        int more = moreNeeded(theta, new double[]{credibility.ofWorker(first)}, next);
        return more < 0 ? max : 1 + more;
    }

    /** The median of {@code c}; a stranger's credibility (1 − f) when there is none. */
    private double median(double[] c) {
        if (c.length == 0) {
            return credibility.ofChecks(0);
        }
        double[] sorted = c.clone();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }
}
