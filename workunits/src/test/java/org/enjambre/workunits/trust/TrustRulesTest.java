package org.enjambre.workunits.trust;

import org.enjambre.workunits.spec.Redundancy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrustRulesTest {
    private final TrustRules rules = TrustRules.PRODUCTION;

    private static Reputation valid(long n, long checks) {
        Reputation r = Reputation.NEW;
        for (long i = 0; i < checks; i++) {
            r = r.withSpotCheckPassed();
        }
        for (long i = 0; i < n; i++) {
            r = r.withValid();
        }
        return r;
    }

    private double[] fresh(int n) {
        double[] c = new double[n];
        Arrays.fill(c, rules.credibility().ofChecks(0));
        return c;
    }

    @Test
    void production_assumesTenPercentSaboteurs_andWaitsThirtySeconds() {
        assertThat(rules.credibility().saboteurFraction()).isEqualTo(0.1);
        assertThat(rules.credibility().checksFor(0.9999)).isEqualTo(409);
        assertThat(rules.credibilityWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(TrustRules.withWait(Duration.ofSeconds(5)).credibilityWait()).isEqualTo(Duration.ofSeconds(5));
        assertThatThrownBy(() -> TrustRules.withWait(Duration.ofSeconds(-1))).hasMessageContaining("must not be negative");
    }

    @Test
    void replicasFor_credibilityJob_plansVotingUpFront() {
        Redundancy job = new Redundancy(1, 1, 3, 6, false, 0.9999, 0.1);
        // Fresh workers of a job that spot-checks are planned with the credibility their warm-up gives them: pairs.
        assertThat(rules.replicasFor(job, Reputation.NEW, fresh(7), new FixedRandom(0)).replicas()).isEqualTo(2);
        assertThat(rules.replicasFor(job, Reputation.NEW, new double[0], new FixedRandom(0)).replicas()).isEqualTo(2);
        // Without spot-checks no warm-up comes: voting with strangers' credibility (0.9 each) needs five.
        Redundancy unchecked = new Redundancy(1, 1, 3, 6, false, 0.9999, 0);
        assertThat(rules.replicasFor(unchecked, Reputation.NEW, fresh(7), new FixedRandom(0)).replicas()).isEqualTo(5);
        assertThat(rules.replicasFor(job, valid(0, 409), fresh(7), new FixedRandom(0))).isEqualTo(job);
        Redundancy two = rules.replicasFor(job, valid(0, 60), new double[]{rules.credibility().ofChecks(60)}, new FixedRandom(0));
        assertThat(two).isEqualTo(job.withReplicas(2, 1));
        // never fewer than the job asks for
        Redundancy three = new Redundancy(3, 1, 3, 6, false, 0.9999, 0.1);
        assertThat(rules.replicasFor(three, valid(0, 409), fresh(7), new FixedRandom(0))).isEqualTo(three);
    }

    @Test
    void replicasFor_adaptiveJob_needsPassedChecksOnlyWhenTheJobSpotChecks() {
        Redundancy boinc = new Redundancy(2, 2, 3, 6, true);
        Redundancy checked = new Redundancy(2, 2, 3, 6, true, 0, 0.1);
        Reputation colluder = valid(100, 0);
        assertThat(rules.replicasFor(boinc, colluder, new double[0], new FixedRandom(0)).replicas()).isEqualTo(1);
        assertThat(rules.replicasFor(checked, colluder, new double[0], new FixedRandom(0))).isEqualTo(checked);
        assertThat(rules.replicasFor(checked, valid(100, 10), new double[0], new FixedRandom(0)).replicas()).isEqualTo(1);
        assertThat(rules.replicasFor(checked, valid(100, 9), new double[0], new FixedRandom(0))).isEqualTo(checked);
        Redundancy plain = new Redundancy(2, 2, 3, 6, false, 0, 0.1);
        assertThat(rules.replicasFor(plain, valid(1000, 1000), new double[0], new FixedRandom(0))).isEqualTo(plain);
    }

    @Test
    void inProgressLimit_fourUnitsDoubledPerPassedCheck_noneAfterTheWarmup_noneWithoutSpotChecks() {
        Redundancy checked = new Redundancy(2, 2, 3, 6, false, 0, 0.1);
        assertThat(java.util.stream.LongStream.rangeClosed(0, 5).map(k -> rules.inProgressLimit(valid(0, k), checked)).toArray())
                .containsExactly(4, 8, 16, 32, 64, Long.MAX_VALUE);
        assertThat(rules.inProgressLimit(Reputation.NEW, new Redundancy(2, 2, 3, 6, false))).isEqualTo(Long.MAX_VALUE);
    }
}
