package org.enjambre.workunits.trust.sim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** With 10% colluding saboteurs that always lie, under the production rules. */
class BestPolicyTest {

    @Test
    void credibility9999_acceptsNoWrongResult_atAboutTheCostOfQuorumTwo() {
        // 200 workers with about 100 units each: too few for any worker to pass the 409 checks that make a lone
        // result credible, so the planner votes (two results from workers past their warm-up) instead of waiting.
        Report r = Simulation.run(Scenario.colluding(200, 20_000, 0.1, 1.0, 11), Policies.credibility());

        assertThat(r.accepted()).isEqualTo(20_000);
        assertThat(r.failed()).isZero();
        assertThat(r.wrong()).isZero();
        assertThat(r.redundancy()).isBetween(2.0, 2.4);
        assertThat(r.saboteursBlacklisted()).isEqualTo(20);
        assertThat(r.honestBlacklisted()).isZero();
    }

    @Test
    void credibility999_longLivedWorkers_runUnitsAlone_underOneAndAHalfResultsPerUnit() {
        // 100 workers with about 1,500 tasks each: they pass the 41 checks θ = 0.999 asks of a lone result.
        Report r = Simulation.run(Scenario.colluding(100, 150_000, 0.1, 1.0, 11), Policies.credibility(0.999));

        assertThat(r.failed()).isZero();
        assertThat(r.wrong()).isZero();
        assertThat(r.redundancy()).isLessThanOrEqualTo(1.5);
        assertThat(r.saboteursBlacklisted()).isEqualTo(10);
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
