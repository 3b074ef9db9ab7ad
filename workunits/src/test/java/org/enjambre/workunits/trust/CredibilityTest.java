package org.enjambre.workunits.trust;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CredibilityTest {
    private final Credibility cr = Credibility.assuming(0.1);

    @Test
    void ofChecks_isOneMinusFForAStranger() {
        assertThat(cr.ofChecks(0)).isCloseTo(0.9, within(1e-15));
    }

    @Test
    void ofChecks_followsSarmentasBound() {
        // 1 - f / ((1 - f) k e) with f = 0.1
        assertThat(cr.ofChecks(1)).isCloseTo(1 - 0.1 / (0.9 * Math.E), within(1e-15));
        assertThat(cr.ofChecks(1)).isCloseTo(0.959124, within(1e-6));
        assertThat(cr.ofChecks(100)).isCloseTo(0.999591, within(1e-6));
    }

    @Test
    void ofChecks_neverFallsBelowTheStrangersCredibility() {
        Credibility half = Credibility.assuming(0.5);
        assertThat(half.ofChecks(0)).isEqualTo(0.5);
        // 1 - 0.5 / (0.5 * 1 * e) = 0.632; but with f = 0.9, k = 1 the bound is negative
        Credibility most = Credibility.assuming(0.9);
        assertThat(most.ofChecks(1)).isCloseTo(0.1, within(1e-12));
    }

    @Test
    void ofWorker_isZeroWhenBlacklisted() {
        Reputation passed3 = Reputation.NEW.withSpotCheckPassed().withSpotCheckPassed().withSpotCheckPassed();
        assertThat(cr.ofWorker(passed3)).isEqualTo(cr.ofChecks(3));
        assertThat(cr.ofWorker(passed3.withSpotCheckFailed())).isZero();
    }

    @Test
    void checksFor_isTheSmallestSufficientCount() {
        assertThat(cr.checksFor(0.9999)).isEqualTo(409);
        assertThat(cr.ofChecks(409)).isGreaterThanOrEqualTo(0.9999);
        assertThat(cr.ofChecks(408)).isLessThan(0.9999);
        assertThat(cr.checksFor(0.999)).isEqualTo(41);
        assertThat(cr.checksFor(0.85)).isZero();
    }

    @Test
    void ofGroup_aloneIsItsResultsCredibility() {
        assertThat(Credibility.ofGroup(0, List.of(new double[]{0.9}))).isCloseTo(0.9, within(1e-15));
    }

    @Test
    void ofGroup_agreementMultipliesTheOdds() {
        // two agreeing strangers: 0.81 / (0.81 + 0.01)
        assertThat(Credibility.ofGroup(0, List.of(new double[]{0.9, 0.9}))).isCloseTo(0.81 / 0.82, within(1e-12));
    }

    @Test
    void ofGroup_dissentLowersIt() {
        List<double[]> groups = List.of(new double[]{0.99}, new double[]{0.9});
        double a = 0.99 * 0.1;
        double b = 0.9 * 0.01;
        double none = 0.01 * 0.1;
        assertThat(Credibility.ofGroup(0, groups)).isCloseTo(a / (a + b + none), within(1e-12));
        assertThat(Credibility.ofGroup(1, groups)).isCloseTo(b / (a + b + none), within(1e-12));
        assertThat(Credibility.ofGroup(0, groups)).isLessThan(0.99);
    }

    @Test
    void ofGroup_aBlacklistedWorkerCountsForNothing() {
        assertThat(Credibility.ofGroup(0, List.of(new double[]{0.0}))).isZero();
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> Credibility.assuming(0)).hasMessageContaining("between 0 and 1");
        assertThatThrownBy(() -> cr.ofChecks(-1)).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> cr.checksFor(1)).hasMessageContaining("theta (1.0)");
        assertThatThrownBy(() -> Credibility.ofGroup(1, List.of(new double[]{0.5}))).hasMessage("group 1 of 1");
        assertThatThrownBy(() -> Credibility.ofGroup(0, List.of(new double[]{1.5}))).hasMessage("credibility 1.5 is not in [0, 1]");
    }
}
