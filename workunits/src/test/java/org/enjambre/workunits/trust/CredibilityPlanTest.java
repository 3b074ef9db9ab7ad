package org.enjambre.workunits.trust;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Scale;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CredibilityPlanTest {
    private static final double THETA = 0.9999;
    private final CredibilityPlan plan = new CredibilityPlan(Credibility.assuming(0.1));

    private static Reputation checked(long k) {
        Reputation r = Reputation.NEW;
        for (long i = 0; i < k; i++) {
            r = r.withSpotCheckPassed();
        }
        return r;
    }

    private double[] workers(int n, long checks) {
        double[] c = new double[n];
        Arrays.fill(c, plan.credibility().ofChecks(checks));
        return c;
    }

    @Test
    void agreeing_freshWorkers_giveTheReadmesFigures() {
        assertThat(CredibilityPlan.agreeing(0.9)).isCloseTo(0.9, within(1e-12));
        assertThat(CredibilityPlan.agreeing(0.9, 0.9)).isCloseTo(0.81 / 0.82, within(1e-12)); // 0.9878
        assertThat(CredibilityPlan.agreeing(0.9, 0.9, 0.9)).isCloseTo(0.729 / 0.730, within(1e-12)); // 0.9986
        assertThat(CredibilityPlan.agreeing(0.9, 0.9, 0.9, 0.9)).isCloseTo(0.6561 / 0.6562, within(1e-12)); // 0.99985
        assertThat(CredibilityPlan.agreeing(0.9, 0.9, 0.9, 0.9, 0.9)).isCloseTo(0.59049 / 0.59050, within(1e-12)); // 0.99998
        assertThat(CredibilityPlan.agreeing()).isZero();
    }

    @Test
    void agreeingNeeded_freshWorkersNeedFiveForTheta9999_checkedOnesTwo_credibleOnesOne() {
        assertThat(plan.agreeingNeeded(THETA, 0)).isEqualTo(5);
        assertThat(plan.agreeingNeeded(0.9998, 0)).isEqualTo(4);
        assertThat(plan.agreeingNeeded(0.998, 0)).isEqualTo(3);
        assertThat(plan.agreeingNeeded(THETA, 5)).isEqualTo(2);
        assertThat(plan.agreeingNeeded(THETA, 409)).isEqualTo(1);
        assertThat(plan.agreeingNeeded(THETA, 408)).isEqualTo(2);
    }

    @Test
    void checksForPair_isTheFewestChecksWhoseAgreeingPairReachesTheta() {
        assertThat(plan.checksForPair(THETA)).isEqualTo(5);
        double c4 = plan.credibility().ofChecks(4);
        double c5 = plan.credibility().ofChecks(5);
        assertThat(CredibilityPlan.agreeing(c4, c4)).isLessThan(THETA);
        assertThat(CredibilityPlan.agreeing(c5, c5)).isGreaterThanOrEqualTo(THETA);
        assertThat(plan.checksForPair(0.99)).isEqualTo(1);
        assertThat(plan.checksForPair(0.5)).isZero();
    }

    @Test
    void moreNeeded_countsResultsTakenInOrder() {
        assertThat(CredibilityPlan.moreNeeded(THETA, new double[]{0.9}, new double[]{0.9, 0.9, 0.9, 0.9})).isEqualTo(4);
        assertThat(CredibilityPlan.moreNeeded(THETA, new double[]{0.99995}, new double[]{0.9})).isZero();
        assertThat(CredibilityPlan.moreNeeded(THETA, new double[]{0.9}, new double[]{0.9, 0.9})).isEqualTo(-1);
        assertThat(CredibilityPlan.moreNeeded(THETA, new double[0], new double[]{0.9, 0.9, 0.9, 0.9, 0.9})).isEqualTo(5);
    }

    @Test
    void replicasUpFront_oneForAWorkerCredibleAlone() {
        assertThat(plan.replicasUpFront(THETA, checked(409), 0.1, workers(5, 0), 6)).isEqualTo(1);
    }

    @Test
    void replicasUpFront_freshSwarm_votesWithFive() {
        assertThat(plan.replicasUpFront(THETA, Reputation.NEW, 0.5, workers(7, 0), 6)).isEqualTo(5);
        assertThat(plan.replicasUpFront(THETA, Reputation.NEW, 0.5, new double[0], 6)).isEqualTo(5);
        assertThat(plan.replicasUpFront(0.998, Reputation.NEW, 0.5, workers(7, 0), 6)).isEqualTo(3);
    }

    @Test
    void replicasUpFront_theIssuesSwarm_twoInsteadOfWaitingFor409Checks() {
        // 58 to 79 passed checks each (the workers of the issue): waiting for ~330 more checks at q = 0.1 takes
        // thousands of tasks; a second result from such a worker makes the unit credible at once.
        double[] swarm = {plan.credibility().ofChecks(58), plan.credibility().ofChecks(63), plan.credibility().ofChecks(71),
                plan.credibility().ofChecks(79), plan.credibility().ofChecks(66)};
        assertThat(plan.replicasUpFront(THETA, checked(60), 0.1, swarm, 6)).isEqualTo(2);
        assertThat(plan.replicasUpFront(THETA, Reputation.NEW, 0.5, swarm, 6)).isEqualTo(2);
    }

    @Test
    void replicasUpFront_cappedAtMax_andOneForTheBlacklisted() {
        assertThat(plan.replicasUpFront(THETA, Reputation.NEW, 0.1, workers(3, 0), 3)).isEqualTo(3);
        assertThat(plan.replicasUpFront(THETA, Reputation.NEW.withSpotCheckFailed(), 0.1, workers(3, 0), 6)).isEqualTo(1);
        assertThatThrownBy(() -> plan.replicasUpFront(THETA, Reputation.NEW, 0.1, workers(3, 0), 0))
                .hasMessage("max replicas (0) must be at least 1");
    }

    /** The plan is enough: its replicas, at the credibilities planned with, reach θ unless capped. */
    @Property
    void replicasUpFront_reachTheta_unlessCapped(@ForAll @LongRange(max = 500) long checks,
                                                 @ForAll @Size(max = 20) List<@LongRange(max = 500) Long> others,
                                                 @ForAll @DoubleRange(min = 0.5, max = 0.99999) @Scale(6) double theta,
                                                 @ForAll @IntRange(min = 1, max = 16) int max) {
        double[] candidates = others.stream().mapToDouble(k -> plan.credibility().ofChecks(k)).toArray();
        int n = plan.replicasUpFront(theta, checked(checks), 0.1, candidates, max);
        assertThat(n).isBetween(1, max);
        if (n == 1) {
            return; // credible alone, or about to be
        }
        double median = median(candidates);
        double[] group = new double[n];
        Arrays.fill(group, median);
        group[0] = plan.credibility().ofChecks(checks);
        if (n < max) {
            assertThat(CredibilityPlan.agreeing(group)).isGreaterThanOrEqualTo(theta);
        }
        // and minimal: one replica fewer would not do
        assertThat(CredibilityPlan.agreeing(Arrays.copyOf(group, n - 1))).isLessThan(theta);
    }

    /** A worker that passed more checks never needs more replicas. */
    @Property
    void replicasUpFront_neverGrowWithChecks(@ForAll @LongRange(max = 500) long checks,
                                             @ForAll @LongRange(max = 500) long othersChecks,
                                             @ForAll @DoubleRange(min = 0.5, max = 0.99999) @Scale(6) double theta) {
        double[] candidates = workers(5, othersChecks);
        assertThat(plan.replicasUpFront(theta, checked(checks + 1), 0.1, candidates, 16))
                .isLessThanOrEqualTo(plan.replicasUpFront(theta, checked(checks), 0.1, candidates, 16));
    }

    private double median(double[] c) {
        if (c.length == 0) {
            return plan.credibility().ofChecks(0);
        }
        double[] s = c.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
