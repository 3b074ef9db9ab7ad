package org.enjambre.workunits.trust;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Scale;
import org.enjambre.workunits.spec.Redundancy;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SpotCheckRateTest {
    private final SpotCheckRate production = TrustRules.PRODUCTION.spotChecks();

    private static Reputation checked(long k) {
        Reputation r = Reputation.NEW;
        for (long i = 0; i < k; i++) {
            r = r.withSpotCheckPassed();
        }
        return r;
    }

    private static Redundancy quorum(double q) {
        return new Redundancy(2, 2, 3, 6, false, 0, q);
    }

    private static Redundancy credibility(double theta, double q) {
        return new Redundancy(1, 1, 3, 6, false, theta, q);
    }

    @Test
    void warmup_firstFiveChecksAtHalf_thenTheJobsRate() {
        assertThat(production.rate(checked(0), quorum(0.1))).isEqualTo(0.5);
        assertThat(production.rate(checked(4), quorum(0.1))).isEqualTo(0.5);
        assertThat(production.rate(checked(5), quorum(0.1))).isEqualTo(0.1);
        assertThat(production.rate(checked(5), quorum(0.3))).isEqualTo(0.3);
    }

    @Test
    void warmup_ofACredibilityJob_lastsUntilTwoAgreeingResultsReachTheta() {
        // θ = 0.99999: two workers need 13 checks each (0.99685) for their pair to reach it.
        long pair = TrustRules.PRODUCTION.plan().checksForPair(0.99999);
        assertThat(pair).isEqualTo(13);
        assertThat(production.warmupFor(credibility(0.99999, 0.1))).isEqualTo(13);
        assertThat(production.rate(checked(12), credibility(0.99999, 0.1))).isEqualTo(0.5);
        assertThat(production.rate(checked(13), credibility(0.99999, 0.1))).isEqualTo(0.1);
        assertThat(production.warmupFor(credibility(0.9999, 0.1))).isEqualTo(5);
    }

    @Test
    void noChecks_forAJobWithoutThem_norForTheBlacklisted() {
        assertThat(production.rate(checked(0), quorum(0))).isZero();
        assertThat(production.rate(Reputation.NEW.withSpotCheckFailed(), quorum(0.1))).isZero();
        assertThat(production.due(checked(0), quorum(0), new FixedRandom(0))).isFalse();
        assertThat(production.due(checked(0), quorum(0.1), new FixedRandom(0.49))).isTrue();
        assertThat(production.due(checked(0), quorum(0.1), new FixedRandom(0.5))).isFalse();
    }

    /** Spot-check rates stay bounded: never above the highest rate a job may ask for, never below the job's. */
    @Property
    void rate_staysBetweenTheJobsRateAndTheMaximum(@ForAll @LongRange(max = 1000) long checks,
                                                   @ForAll @DoubleRange(min = 0, max = 0.5) @Scale(6) double q,
                                                   @ForAll @DoubleRange(min = 0.5, max = 0.999999) @Scale(6) double theta) {
        for (Redundancy p : new Redundancy[]{quorum(q), credibility(theta, q)}) {
            double r = production.rate(checked(checks), p);
            assertThat(r).isBetween(q, Redundancy.MAX_SPOT_CHECK_RATE);
            if (q == 0) {
                assertThat(r).isZero();
            }
        }
    }
}
