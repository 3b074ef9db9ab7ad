package org.enjambre.workunits.trust.sim;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Plain m-first voting, run through the real transitioner (replicas = quorum = m, one more replica per
 * disagreement), reproduces Sarmenta's error rate for colluding saboteurs with φ = f·s:
 * ε(m) = Σ_{j=m}^{2m−1} C(2m−1, j) φ^j (1−φ)^{2m−1−j}, within three standard deviations.
 */
class VotingMatchesSarmentaTest {

    /** Sarmenta's ε(m): the probability that m bad results come before m good ones. */
    static double epsilon(int m, double phi) {
        int n = 2 * m - 1;
        double sum = 0;
        for (int j = m; j <= n; j++) {
            sum += binomial(n, j) * Math.pow(phi, j) * Math.pow(1 - phi, n - j);
        }
        return sum;
    }

    private static double binomial(int n, int k) {
        double c = 1;
        for (int i = 1; i <= k; i++) {
            c = c * (n - k + i) / i;
        }
        return c;
    }

    @Test
    void epsilon_hasTheKnownValues() {
        assertThat(epsilon(2, 0.2)).isCloseTo(0.104, within(1e-12));
        assertThat(epsilon(3, 0.2)).isCloseTo(0.05792, within(1e-12));
        assertThat(epsilon(2, 0.1)).isCloseTo(0.028, within(1e-12));
        assertThat(epsilon(1, 0.3)).isCloseTo(0.3, within(1e-12));
    }

    @ParameterizedTest(name = "f={0}, s={1}, m={2}")
    @CsvSource({
            "0.2, 1.0, 2, 200000",
            "0.2, 1.0, 3, 200000",
            "0.1, 1.0, 2, 200000",
            "0.4, 0.5, 2, 50000",   // φ = 0.2 again, reached with part-time saboteurs
    })
    void mFirstVoting_reproducesTheFormula(double f, double s, int m, int units) {
        Report r = Simulation.run(Scenario.colluding(1000, units, f, s, 7), Policy.voting(m));

        double expected = epsilon(m, f * s);
        double sigma = Math.sqrt(expected * (1 - expected) / units);
        assertThat(r.accepted()).isEqualTo(units);
        assertThat(r.failed()).isZero();
        assertThat(r.errorRate()).isCloseTo(expected, within(3 * sigma));
        assertThat(r.redundancy()).isBetween((double) m, 2.0 * m - 1);
        assertThat(r.spotChecks()).isZero();
    }
}
