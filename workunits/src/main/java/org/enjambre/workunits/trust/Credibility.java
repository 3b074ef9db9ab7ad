package org.enjambre.workunits.trust;

import java.util.List;

/**
 * Sarmenta's credibility: the probability that a worker's result, or a group of agreeing results, is
 * right, given an assumed upper bound {@code f} on the fraction of saboteurs among workers.
 *
 * <p><b>Worker.</b> Spot-checking with blacklisting gives, for a saboteur with any constant sabotage rate
 * s that has passed k spot-checks, an expected fraction of bad results of at most {@code f / ((1 - f) k e)}
 * (Sarmenta 2002, §4: {@code s (1 - s)^k ≤ 1 / (k e)}). So a worker that has passed k ≥ 1 checks has
 * credibility {@code Cr(k) = 1 - f / ((1 - f) k e)}, never below {@code 1 - f}, the credibility of a
 * worker about whom nothing is known (k = 0); a blacklisted worker has credibility 0. Only spot-checks
 * count: agreement with other workers could be forged by colluding saboteurs.
 *
 * <p><b>Group.</b> Given groups G_1..G_n of agreeing results (at most one can be right), with
 * {@code P(G good) = Π Cr(r)} and {@code P(G bad) = Π (1 - Cr(r))} over its results,
 * <pre>Cr(G_a) = P(G_a good) Π_{b≠a} P(G_b bad) / (Π_b P(G_b bad) + Σ_g P(G_g good) Π_{b≠g} P(G_b bad))</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class Credibility {
    /** Credibilities are kept below 1 so that the group formula never divides by 0. */
    private static final double MAX = 1 - 1e-15;

    private final double f;

    private Credibility(double f) {
        this.f = f;
    }

    /** Credibility assuming that at most a fraction {@code saboteurFraction} of workers are saboteurs. */
    public static Credibility assuming(double saboteurFraction) {
        if (!(saboteurFraction > 0 && saboteurFraction < 1)) {
            throw new IllegalArgumentException("the assumed saboteur fraction (" + saboteurFraction + ") must be between 0 and 1, exclusive");
        }
        return new Credibility(saboteurFraction);
    }

    /** The assumed saboteur fraction f. */
    public double saboteurFraction() {
        return f;
    }

    /** The credibility of a worker that has passed {@code k} spot-checks and is not blacklisted. */
    public double ofChecks(long k) {
        if (k < 0) {
            throw new IllegalArgumentException("passed spot-checks (" + k + ") must not be negative");
        }
        if (k == 0) {
            return 1 - f;
        }
        return Math.max(1 - f, 1 - f / ((1 - f) * k * Math.E));
    }

    /** The credibility of a worker with reputation {@code r}: 0 when blacklisted, else {@link #ofChecks}. */
    public double ofWorker(Reputation r) {
        return r.blacklisted() ? 0 : ofChecks(r.spotChecksPassed());
    }

    /** How many passed spot-checks make one result of a worker credible enough ({@code ≥ theta}) alone. */
    public long checksFor(double theta) {
        if (!(theta > 0 && theta < 1)) {
            throw new IllegalArgumentException("theta (" + theta + ") must be between 0 and 1, exclusive");
        }
        if (1 - f >= theta) {
            return 0;
        }
        long k = (long) Math.ceil(f / ((1 - f) * Math.E * (1 - theta)));
        while (ofChecks(k) < theta) {
            k++; // rounding
        }
        while (k > 1 && ofChecks(k - 1) >= theta) {
            k--;
        }
        return k;
    }

    /**
     * The credibility of group {@code index} among {@code groups}, each given as the credibilities of its
     * results (see the class comment for the formula).
     */
    public static double ofGroup(int index, List<double[]> groups) {
        if (index < 0 || index >= groups.size()) {
            throw new IllegalArgumentException("group " + index + " of " + groups.size());
        }
        int n = groups.size();
        double[] good = new double[n];
        double[] bad = new double[n];
        double allBad = 1;
        for (int g = 0; g < n; g++) {
            double pg = 1;
            double pb = 1;
            for (double c : groups.get(g)) {
                if (!(c >= 0 && c <= 1)) {
                    throw new IllegalArgumentException("credibility " + c + " is not in [0, 1]");
                }
                double cc = Math.min(c, MAX);
                pg *= cc;
                pb *= 1 - cc;
            }
            good[g] = pg;
            bad[g] = pb;
            allBad *= pb;
        }
        double denominator = allBad;
        double numerator = 0;
        for (int g = 0; g < n; g++) {
            double othersBad = 1;
            for (int b = 0; b < n; b++) {
                if (b != g) {
                    othersBad *= bad[b];
                }
            }
            double term = good[g] * othersBad;
            denominator += term;
            if (g == index) {
                numerator = term;
            }
        }
        return denominator == 0 ? 0 : numerator / denominator;
    }
}
