package org.enjambre.workunits.trust;

import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.spec.Redundancy;
import org.enjambre.workunits.transition.Decision;
import org.enjambre.workunits.transition.Event;
import org.enjambre.workunits.transition.Transitioner;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AdaptiveReplicationTest {
    private static final Redundancy ADAPTIVE = new Redundancy(2, 2, 3, 6, true);
    private static final Redundancy SOLO = new Redundancy(1, 1, 3, 6, true);
    private final ReplicationPolicy.Adaptive boinc = new ReplicationPolicy.Adaptive(10, 0);

    private static Reputation valid(int n) {
        Reputation r = Reputation.NEW;
        for (int i = 0; i < n; i++) {
            r = r.withValid();
        }
        return r;
    }

    @Test
    void soloProbability_isZeroBelowTheThresholdThenOneMinusOneOverN() {
        assertThat(boinc.soloProbability(valid(9))).isZero();
        assertThat(boinc.soloProbability(valid(10))).isCloseTo(0.9, within(1e-12));
        assertThat(boinc.soloProbability(valid(40))).isCloseTo(0.975, within(1e-12));
    }

    @Test
    void replicasFor_runsATrustedWorkersUnitAloneWithThatProbability() {
        WorkUnit unit = WorkUnit.create("j", 0, ADAPTIVE);
        assertThat(boinc.replicasFor(unit, valid(10), new FixedRandom(0.89))).isEqualTo(SOLO);
        assertThat(boinc.replicasFor(unit, valid(10), new FixedRandom(0.9))).isEqualTo(ADAPTIVE);
        assertThat(boinc.replicasFor(unit, valid(9), new FixedRandom(0.0))).isEqualTo(ADAPTIVE);
    }

    @Test
    void oneInvalidResultResetsTheTrust() {
        Reputation trusted = valid(50);
        WorkUnit unit = WorkUnit.create("j", 0, ADAPTIVE);
        assertThat(boinc.replicasFor(unit, trusted, new FixedRandom(0.5))).isEqualTo(SOLO);
        Reputation caught = trusted.withInvalid();
        assertThat(caught.consecutiveValid()).isZero();
        assertThat(boinc.soloProbability(caught)).isZero();
        assertThat(boinc.replicasFor(unit, caught, new FixedRandom(0.0))).isEqualTo(ADAPTIVE);
        Reputation again = caught;
        for (int i = 0; i < 9; i++) {
            again = again.withValid();
        }
        assertThat(boinc.soloProbability(again)).isZero();
        assertThat(boinc.soloProbability(again.withValid())).isCloseTo(0.9, within(1e-12));
    }

    @Test
    void theJobsFlagTurnsItOff() {
        WorkUnit unit = WorkUnit.create("j", 0, new Redundancy(2, 2, 3, 6, false));
        assertThat(boinc.replicasFor(unit, valid(1000), new FixedRandom(0.0))).isEqualTo(unit.policy());
        assertThat(ReplicationPolicy.fixed().replicasFor(WorkUnit.create("j", 0, ADAPTIVE), valid(1000), new FixedRandom(0.0)))
                .isEqualTo(ADAPTIVE);
    }

    @Test
    void spotChecksCanBeRequired() {
        ReplicationPolicy.Adaptive strict = new ReplicationPolicy.Adaptive(10, 2);
        Reputation colluder = valid(100); // agreed with its friends 100 times, never faced a known answer
        assertThat(strict.soloProbability(colluder)).isZero();
        Reputation checked = colluder.withSpotCheckPassed().withSpotCheckPassed();
        assertThat(strict.soloProbability(checked)).isCloseTo(1 - 1.0 / 102, within(1e-12));
        assertThat(strict.soloProbability(checked.withSpotCheckFailed())).isZero();
    }

    @Test
    void aUnitAlreadyIssuedKeepsItsPolicy() {
        WorkUnit unit = Transitioner.exact().apply(WorkUnit.create("j", 0, ADAPTIVE),
                new Event.Issue(WorkerRef.of("a"), 1, 100)).unit();
        assertThat(boinc.replicasFor(unit, valid(100), new FixedRandom(0.0))).isEqualTo(ADAPTIVE);
    }

    @Test
    void aReplannedSoloUnitIsAcceptedOnItsOnlyResult() {
        Transitioner tr = Transitioner.exact();
        WorkUnit unit = WorkUnit.create("j", 0, ADAPTIVE);
        Redundancy r = boinc.replicasFor(unit, valid(20), new FixedRandom(0.1));
        Decision d = tr.replan(unit, r);
        assertThat(d.isAccepted()).isTrue();
        WorkUnit u = tr.apply(d.unit(), new Event.Issue(WorkerRef.of("trusted"), 1, 100)).unit();
        u = tr.apply(u, new Event.Success(0, "trusted", new byte[]{7}, 2)).unit();
        assertThat(u.state()).isEqualTo(UnitState.DONE);
        assertThat(u.tasks()).hasSize(1);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> ReplicationPolicy.adaptive(0, 0))
                .hasMessage("the adaptive replication threshold (0) must be at least 1");
        assertThatThrownBy(() -> ReplicationPolicy.adaptive(10, -1)).hasMessage("minSpotChecks (-1) must not be negative");
    }
}
