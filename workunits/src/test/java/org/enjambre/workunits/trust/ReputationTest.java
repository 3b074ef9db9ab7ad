package org.enjambre.workunits.trust;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ReputationTest {

    @Test
    void new_knowsNothingAndScoresOneHalf() {
        assertThat(Reputation.NEW).isEqualTo(new Reputation(0, 0, 0, 0, 0, 0, false));
        assertThat(Reputation.NEW.score()).isEqualTo(0.5);
    }

    @Test
    void withValid_countsAndExtendsTheRun() {
        Reputation r = Reputation.NEW.withValid().withValid().withValid();
        assertThat(r.valid()).isEqualTo(3);
        assertThat(r.consecutiveValid()).isEqualTo(3);
        assertThat(r.score()).isCloseTo(4.0 / 5, within(1e-12));
    }

    @Test
    void withInvalid_resetsTheRunButKeepsTheHistory() {
        Reputation r = Reputation.NEW.withValid().withValid().withInvalid();
        assertThat(r).isEqualTo(new Reputation(2, 1, 0, 0, 0, 0, false));
        assertThat(r.withValid().consecutiveValid()).isEqualTo(1);
    }

    @Test
    void withError_countsButDoesNotReset() {
        Reputation r = Reputation.NEW.withValid().withError();
        assertThat(r).isEqualTo(new Reputation(1, 0, 1, 1, 0, 0, false));
        assertThat(r.score()).isCloseTo(2.0 / 3.5, within(1e-12));
    }

    @Test
    void withSpotCheckPassed_countsAsAValidResultToo() {
        Reputation r = Reputation.NEW.withValid().withSpotCheckPassed();
        assertThat(r).isEqualTo(new Reputation(1, 0, 0, 2, 1, 0, false));
    }

    @Test
    void withSpotCheckFailed_blacklistsAndScoresZero() {
        Reputation r = Reputation.NEW.withValid().withSpotCheckPassed().withSpotCheckFailed();
        assertThat(r).isEqualTo(new Reputation(1, 0, 0, 0, 1, 1, true));
        assertThat(r.score()).isZero();
    }

    @Test
    void score_staysInTheUnitInterval() {
        Reputation r = Reputation.NEW;
        for (int i = 0; i < 1000; i++) {
            r = r.withValid();
        }
        assertThat(r.score()).isBetween(0.99, 1.0);
        for (int i = 0; i < 5000; i++) {
            r = r.withInvalid();
        }
        assertThat(r.score()).isBetween(0.0, 0.2);
    }

    @Test
    void constructor_rejectsImpossibleCounts() {
        assertThatThrownBy(() -> new Reputation(-1, 0, 0, 0, 0, 0, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> new Reputation(2, 0, 0, 4, 1, 0, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("consecutiveValid (4) cannot exceed valid results plus passed spot-checks (3)");
    }

    @Test
    void after_appliesTheSameRulesAsTheNamedTransitions() {
        Reputation r = Reputation.NEW.withValid().withSpotCheckPassed();
        assertThat(r.after(Reputation.Evidence.VALID)).isEqualTo(r.withValid());
        assertThat(r.after(Reputation.Evidence.INVALID)).isEqualTo(r.withInvalid());
        assertThat(r.after(Reputation.Evidence.ERROR)).isEqualTo(r.withError());
        assertThat(r.after(Reputation.Evidence.SPOT_CHECK_PASSED)).isEqualTo(r.withSpotCheckPassed());
        assertThat(r.after(Reputation.Evidence.SPOT_CHECK_FAILED)).isEqualTo(r.withSpotCheckFailed());
        // a passed spot-check is a validated result: it extends the run of consecutive valid results
        assertThat(r.after(Reputation.Evidence.SPOT_CHECK_PASSED).consecutiveValid()).isEqualTo(3);
    }
}
