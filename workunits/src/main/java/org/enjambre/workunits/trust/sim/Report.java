package org.enjambre.workunits.trust.sim;

/**
 * What a {@link Simulation} run ended with.
 *
 * @param policy                the policy's name
 * @param scenario              the scenario
 * @param accepted              units accepted (done)
 * @param wrong                 accepted units whose accepted result is wrong
 * @param failed                units that failed (no acceptable result within {@code maxResults})
 * @param results               results computed for real units (valid, invalid or invalidated)
 * @param spotChecks            known-answer results computed
 * @param saboteursBlacklisted  saboteur identities blacklisted
 * @param honestBlacklisted     honest workers blacklisted (always 0 unless something is wrong)
 */
public record Report(String policy, Scenario scenario, long accepted, long wrong, long failed, long results,
                     long spotChecks, long saboteursBlacklisted, long honestBlacklisted) {

    /** The fraction of accepted units whose accepted result is wrong. */
    public double errorRate() {
        return accepted == 0 ? 0 : (double) wrong / accepted;
    }

    /** Results computed per unit, spot-checks included: the cost of the policy (1 is the minimum). */
    public double redundancy() {
        return (double) (results + spotChecks) / scenario.units();
    }
}
