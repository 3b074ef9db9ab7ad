package org.enjambre.workunits.trust;

import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.spec.JobSpec;
import org.enjambre.workunits.spec.JobSpecParser;
import org.enjambre.workunits.spec.Redundancy;
import org.enjambre.workunits.spec.SpecException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The job spec's optional trust fields: redundancy.credibility and redundancy.spotCheckRate. */
class RedundancyTrustFieldsTest {
    private final JobSpecParser parser = new JobSpecParser(AppRegistry.builtIns());

    private JobSpec parse(String redundancy) throws SpecException {
        return parser.parse("{\"app\":\"noop\",\"input\":{},\"workUnits\":2,\"redundancy\":" + redundancy + "}");
    }

    @Test
    void absentMeansPlainQuorumWithoutSpotChecks() throws SpecException {
        Redundancy r = parse("{\"replicas\":2}").redundancy();
        assertThat(r.credibility()).isZero();
        assertThat(r.spotCheckRate()).isZero();
        assertThat(r.credibilityBased()).isFalse();
        assertThat(r).isEqualTo(new Redundancy(2, 2, 3, 6, false));
        assertThat(Redundancy.DEFAULT.credibilityBased()).isFalse();
    }

    @Test
    void parsesBoth() throws SpecException {
        Redundancy r = parse("{\"replicas\":1,\"credibility\":0.9999,\"spotCheckRate\":0.1,\"adaptive\":true}").redundancy();
        assertThat(r).isEqualTo(new Redundancy(1, 1, 3, 6, true, 0.9999, 0.1));
        assertThat(r.credibilityBased()).isTrue();
    }

    @Test
    void toJson_writesThemOnlyWhenSetAndRoundTrips() throws SpecException {
        JobSpec plain = parse("{\"replicas\":2}");
        assertThat(JobSpecParser.toJson(plain).get("redundancy").has("credibility")).isFalse();
        assertThat(JobSpecParser.toJson(plain).get("redundancy").has("spotCheckRate")).isFalse();
        JobSpec trust = parse("{\"replicas\":1,\"credibility\":0.999,\"spotCheckRate\":0.05}");
        assertThat(JobSpecParser.toJson(trust).get("redundancy").get("credibility").doubleValue()).isEqualTo(0.999);
        assertThat(parser.parse(JobSpecParser.toJson(trust))).isEqualTo(trust);
    }

    @Test
    void badValuesNameTheField() {
        assertThatThrownBy(() -> parse("{\"credibility\":1}"))
                .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.field()).isEqualTo("redundancy.credibility"))
                .hasMessage("redundancy.credibility (1.0) must be 0 (plain quorum) or a threshold from 0.5 up to, not including, 1");
        assertThatThrownBy(() -> parse("{\"credibility\":0.3}"))
                .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.field()).isEqualTo("redundancy.credibility"));
        assertThatThrownBy(() -> parse("{\"spotCheckRate\":0.7}"))
                .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.field()).isEqualTo("redundancy.spotCheckRate"))
                .hasMessage("redundancy.spotCheckRate (0.7) must be between 0 and 0.5");
        assertThatThrownBy(() -> parse("{\"spotCheckRate\":\"often\"}"))
                .hasMessage("redundancy.spotCheckRate must be a number");
    }

    @Test
    void theRecordRejectsBadValuesToo() {
        assertThatThrownBy(() -> new Redundancy(2, 2, 3, 6, false, 1.5, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("use Redundancy.of");
        assertThatThrownBy(() -> new Redundancy(2, 2, 3, 6, false, 0, -0.1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spot-check rate -0.1");
    }

    @Test
    void withers_changeOneThing() {
        Redundancy r = new Redundancy(2, 2, 3, 6, false);
        assertThat(r.withReplicas(1, 1)).isEqualTo(new Redundancy(1, 1, 3, 6, false));
        assertThat(r.withCredibility(0.99)).isEqualTo(new Redundancy(2, 2, 3, 6, false, 0.99, 0));
        assertThat(r.withSpotCheckRate(0.2)).isEqualTo(new Redundancy(2, 2, 3, 6, false, 0, 0.2));
        assertThat(r.withAdaptive(true).adaptive()).isTrue();
    }
}
