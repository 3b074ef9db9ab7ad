package org.enjambre.workunits.spec;

/**
 * The redundancy policy of a job, in BOINC's terms.
 *
 * @param replicas   replicas started at once (BOINC {@code target_nresults})
 * @param quorum     agreeing results from distinct workers needed to accept one (BOINC {@code min_quorum})
 * @param maxErrors  error results (client errors and missed deadlines) tolerated; one more fails the unit
 * @param maxResults replicas created in all at most; a unit that would need more to reach a quorum fails
 * @param adaptive   whether workers with a long record of valid results may run units alone
 */
public record Redundancy(int replicas, int quorum, int maxErrors, int maxResults, boolean adaptive) {
    public static final int MAX_REPLICAS = 16;
    public static final int MAX_RESULTS = 64;
    public static final int MAX_ERRORS = 64;

    /** BOINC-like defaults: two replicas that must agree, three errors tolerated, six results at most. */
    public static final Redundancy DEFAULT = new Redundancy(2, 2, 3, 6, false);

    public Redundancy {
        if (replicas < 1 || replicas > MAX_REPLICAS || quorum < 1 || quorum > replicas
                || maxErrors < 0 || maxErrors > MAX_ERRORS || maxResults < replicas || maxResults > MAX_RESULTS) {
            throw new IllegalArgumentException("invalid redundancy " + replicas + "/" + quorum + "/" + maxErrors + "/" + maxResults
                    + "; use Redundancy.of to get a message naming the field");
        }
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
}
