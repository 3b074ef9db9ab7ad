package org.enjambre.workunits.trust;

/**
 * What validation has shown about one worker (or one account, summing its workers): an immutable
 * record; every transition returns a changed copy.
 *
 * @param valid            results judged valid (agreeing with the accepted result)
 * @param invalid          results judged invalid (disagreeing with it, or invalidated by backtracking)
 * @param errors           client errors and missed deadlines
 * @param consecutiveValid valid results and passed spot-checks since the last invalid result or failed
 *                         spot-check: what adaptive replication trusts. A passed spot-check counts: it is a
 *                         result validated against a known answer, stronger evidence than agreement with
 *                         other workers (which colluders can forge); BOINC counts validated results only,
 *                         and a spot-check is one
 * @param spotChecksPassed known-answer units answered right: what credibility is built on
 * @param spotChecksFailed known-answer units answered wrong
 * @param blacklisted      whether it is barred from work (one failed spot-check is enough)
 */
public record Reputation(long valid, long invalid, long errors, long consecutiveValid,
                         long spotChecksPassed, long spotChecksFailed, boolean blacklisted) {

    /** One piece of evidence about a worker, in the order it was judged: what {@link #after} applies. */
    public enum Evidence {
        /** A result judged valid. */
        VALID,
        /** A result judged invalid (or invalidated by backtracking). */
        INVALID,
        /** A client error or a missed deadline. */
        ERROR,
        /** A known-answer unit answered right. */
        SPOT_CHECK_PASSED,
        /** A known-answer unit answered wrong. */
        SPOT_CHECK_FAILED
    }

    /** A worker nobody knows anything about yet. */
    public static final Reputation NEW = new Reputation(0, 0, 0, 0, 0, 0, false);

    public Reputation {
        if (valid < 0 || invalid < 0 || errors < 0 || consecutiveValid < 0 || spotChecksPassed < 0 || spotChecksFailed < 0) {
            throw new IllegalArgumentException("reputation counts must not be negative: " + valid + "/" + invalid + "/"
                    + errors + "/" + consecutiveValid + "/" + spotChecksPassed + "/" + spotChecksFailed);
        }
        if (consecutiveValid > valid + spotChecksPassed) {
            throw new IllegalArgumentException("consecutiveValid (" + consecutiveValid
                    + ") cannot exceed valid results plus passed spot-checks (" + (valid + spotChecksPassed) + ")");
        }
    }

    /** This reputation after {@code e}: the one place the rules of every transition live. */
    public Reputation after(Evidence e) {
        return switch (e) {
            case VALID -> withValid();
            case INVALID -> withInvalid();
            case ERROR -> withError();
            case SPOT_CHECK_PASSED -> withSpotCheckPassed();
            case SPOT_CHECK_FAILED -> withSpotCheckFailed();
        };
    }

    /** A result of it was judged valid. */
    public Reputation withValid() {
        return new Reputation(valid + 1, invalid, errors, consecutiveValid + 1, spotChecksPassed, spotChecksFailed, blacklisted);
    }

    /** A result of it was judged invalid: the run of consecutive valid results starts again from 0. */
    public Reputation withInvalid() {
        return new Reputation(valid, invalid + 1, errors, 0, spotChecksPassed, spotChecksFailed, blacklisted);
    }

    /** A task of it ended in a client error or a missed deadline (not evidence of sabotage: no reset). */
    public Reputation withError() {
        return new Reputation(valid, invalid, errors + 1, consecutiveValid, spotChecksPassed, spotChecksFailed, blacklisted);
    }

    /** It answered a known-answer unit right; that counts as a valid result too. */
    public Reputation withSpotCheckPassed() {
        return new Reputation(valid, invalid, errors, consecutiveValid + 1, spotChecksPassed + 1, spotChecksFailed, blacklisted);
    }

    /** It answered a known-answer unit wrong: proof of a bad result, so it is blacklisted. */
    public Reputation withSpotCheckFailed() {
        return new Reputation(valid, invalid, errors, 0, spotChecksPassed, spotChecksFailed + 1, true);
    }

    /**
     * A score in [0, 1] for people and dashboards: 0 when blacklisted, else Laplace's rule of succession
     * over the evidence, {@code (good + 1) / (good + bad + 2)}, with good = valid results + passed
     * spot-checks and bad = invalid results + failed spot-checks + half the errors. A new worker scores 0.5.
     */
    public double score() {
        if (blacklisted) {
            return 0;
        }
        double good = valid + spotChecksPassed;
        double bad = invalid + spotChecksFailed + errors / 2.0;
        return (good + 1) / (good + bad + 2);
    }
}
