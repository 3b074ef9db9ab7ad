package org.enjambre.workunits.trust.sim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** With 10% colluding saboteurs that always lie, Enjambre's best policy beats BOINC's quorum of 2 on both error and cost. */
class BestPolicyTest {
    // 100 workers with about 1,500 tasks each: credibility is earned once per worker, then amortized.
    private static final Scenario TEN_PERCENT_LIARS = Scenario.colluding(100, 150_000, 0.1, 1.0, 11);

    @Test
    void credibilityWithSpotChecks_reachesOneInTenThousandAtUnderOneAndAHalfResultsPerUnit() {
        Report r = Simulation.run(TEN_PERCENT_LIARS, Policies.credibility());

        assertThat(r.accepted()).isEqualTo(150_000);
        assertThat(r.failed()).isZero();
        assertThat(r.errorRate()).isLessThanOrEqualTo(1e-4);
        assertThat(r.redundancy()).isLessThanOrEqualTo(1.5);
        assertThat(r.saboteursBlacklisted()).isEqualTo(10);
        assertThat(r.honestBlacklisted()).isZero();
    }

    @Test
    void boincQuorumOfTwo_givesSarmentasErrorAtTwiceTheCost() {
        // 1000 workers: with few, "never two replicas of a unit on one worker" makes a second saboteur rarer than f
        Report r = Simulation.run(Scenario.colluding(1000, 100_000, 0.1, 1.0, 11), Policies.boincQuorum2());

        double sigma = Math.sqrt(0.028 * 0.972 / 100_000);
        assertThat(r.errorRate()).isCloseTo(0.028, within(3 * sigma));
        assertThat(r.redundancy()).isGreaterThanOrEqualTo(2);
        assertThat(r.saboteursBlacklisted()).isZero(); // voting alone never finds out who lied
    }
}
