package org.enjambre.workunits.spec;

/**
 * The redundancy policy of a job, in BOINC's terms.
 *
 * @param replicas   replicas started at once (BOINC {@code target_nresults})
 * @param quorum     agreeing results from distinct workers needed to accept one (BOINC {@code min_quorum})
 * @param maxErrors  error results (client errors and missed deadlines) tolerated; one more fails the unit
 * @param maxResults replicas created in all at most; a unit that would need more to reach a quorum fails
 * @param adaptive   whether workers with a long record of valid results may run units alone
 * @param credibility 0 for plain quorum voting; otherwise the credibility threshold θ (at least
 *                    {@value #MIN_CREDIBILITY}, below 1) a group of agreeing results must reach to be
 *                    accepted (Sarmenta's credibility-based fault tolerance), in which case {@code quorum}
 *                    is not used
 * @param spotCheckRate the fraction of the tasks a worker fetches for this job that are known-answer
 *                    spot-checks (0 to {@value #MAX_SPOT_CHECK_RATE}; 0 means none)
 */
public record Redundancy(int replicas, int quorum, int maxErrors, int maxResults, boolean adaptive,
                         double credibility, double spotCheckRate) {
    public static final int MAX_REPLICAS = 16;
    public static final int MAX_RESULTS = 64;
    public static final int MAX_ERRORS = 64;
    public static final double MIN_CREDIBILITY = 0.5;
    public static final double MAX_SPOT_CHECK_RATE = 0.5;

    /** BOINC-like defaults: two replicas that must agree, three errors tolerated, six results at most. */
    public static final Redundancy DEFAULT = new Redundancy(2, 2, 3, 6, false);

    public Redundancy {
        if (replicas < 1 || replicas > MAX_REPLICAS || quorum < 1 || quorum > replicas
                || maxErrors < 0 || maxErrors > MAX_ERRORS || maxResults < replicas || maxResults > MAX_RESULTS) {
            throw new IllegalArgumentException("invalid redundancy " + replicas + "/" + quorum + "/" + maxErrors + "/" + maxResults
                    + "; use Redundancy.of to get a message naming the field");
        }
        if (!validCredibility(credibility) || !validSpotCheckRate(spotCheckRate)) {
            throw new IllegalArgumentException("invalid credibility " + credibility + " or spot-check rate " + spotCheckRate
                    + "; use Redundancy.of to get a message naming the field");
        }
    }

    /** A plain-quorum policy without spot-checks, as before credibility and spot-checks existed. */
    public Redundancy(int replicas, int quorum, int maxErrors, int maxResults, boolean adaptive) {
        this(replicas, quorum, maxErrors, maxResults, adaptive, 0, 0);
    }

    /** Whether results are accepted by credibility rather than by plain quorum. */
    public boolean credibilityBased() {
        return credibility > 0;
    }

    /**
     * Whether accepting a unit may wait for its workers' spot-checks: credibility-based acceptance, and quorum
     * voting in a job with spot-checks, where a quorum needs a result of a worker that passed a check
     * ({@link org.enjambre.workunits.trust.CredibilityAcceptance}).
     */
    public boolean waitsForChecks() {
        return credibilityBased() || spotCheckRate > 0;
    }

    /** This policy with {@code replicas} and {@code quorum} changed, everything else kept. */
    public Redundancy withReplicas(int replicas, int quorum) {
        return new Redundancy(replicas, quorum, maxErrors, Math.max(maxResults, replicas), adaptive, credibility, spotCheckRate);
    }

    /** This policy with credibility threshold {@code theta} (0 turns it off). */
    public Redundancy withCredibility(double theta) {
        return new Redundancy(replicas, quorum, maxErrors, maxResults, adaptive, theta, spotCheckRate);
    }

    /** This policy with spot-check rate {@code rate}. */
    public Redundancy withSpotCheckRate(double rate) {
        return new Redundancy(replicas, quorum, maxErrors, maxResults, adaptive, credibility, rate);
    }

    /** This policy with adaptive replication on or off. */
    public Redundancy withAdaptive(boolean on) {
        return new Redundancy(replicas, quorum, maxErrors, maxResults, on, credibility, spotCheckRate);
    }

    private static boolean validCredibility(double c) {
        return c == 0 || (c >= MIN_CREDIBILITY && c < 1);
    }

    private static boolean validSpotCheckRate(double q) {
        return q >= 0 && q <= MAX_SPOT_CHECK_RATE;
    }

    /** Validating factory: names the field and the rule that a bad value breaks. */
    public static Redundancy of(int replicas, int quorum, int maxErrors, int maxResults, boolean adaptive) throws SpecException {
        if (replicas < 1 || replicas > MAX_REPLICAS) {
            throw new SpecException("redundancy.replicas", "redundancy.replicas (" + replicas + ") must be between 1 and " + MAX_REPLICAS);
        }
        if (quorum < 1) {
            throw new SpecException("redundancy.quorum", "redundancy.quorum (" + quorum + ") must be at least 1");
        }
        if (quorum > replicas) {
            throw new SpecException("redundancy.quorum",
                    "redundancy.quorum (" + quorum + ") must not exceed redundancy.replicas (" + replicas + ")");
        }
        if (maxErrors < 0 || maxErrors > MAX_ERRORS) {
            throw new SpecException("redundancy.maxErrors", "redundancy.maxErrors (" + maxErrors + ") must be between 0 and " + MAX_ERRORS);
        }
        if (maxResults < replicas) {
            throw new SpecException("redundancy.maxResults",
                    "redundancy.maxResults (" + maxResults + ") must be at least redundancy.replicas (" + replicas + ")");
        }
        if (maxResults > MAX_RESULTS) {
            throw new SpecException("redundancy.maxResults", "redundancy.maxResults (" + maxResults + ") must be at most " + MAX_RESULTS);
        }
        return new Redundancy(replicas, quorum, maxErrors, maxResults, adaptive);
    }

    /** Validating factory with credibility-based acceptance and spot-checks; names the offending field. */
    public static Redundancy of(int replicas, int quorum, int maxErrors, int maxResults, boolean adaptive,
                                double credibility, double spotCheckRate) throws SpecException {
        Redundancy plain = of(replicas, quorum, maxErrors, maxResults, adaptive);
        if (!validCredibility(credibility)) {
            throw new SpecException("redundancy.credibility", "redundancy.credibility (" + credibility
                    + ") must be 0 (plain quorum) or a threshold from " + MIN_CREDIBILITY + " up to, not including, 1");
        }
        if (!validSpotCheckRate(spotCheckRate)) {
            throw new SpecException("redundancy.spotCheckRate", "redundancy.spotCheckRate (" + spotCheckRate
                    + ") must be between 0 and " + MAX_SPOT_CHECK_RATE);
        }
        return new Redundancy(plain.replicas(), plain.quorum(), plain.maxErrors(), plain.maxResults(), plain.adaptive(),
                credibility, spotCheckRate);
    }
}
