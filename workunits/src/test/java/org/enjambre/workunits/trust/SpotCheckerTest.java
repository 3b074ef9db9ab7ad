package org.enjambre.workunits.trust;

import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.ValidateState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.spec.Redundancy;
import org.enjambre.workunits.transition.Decision;
import org.enjambre.workunits.transition.Effect;
import org.enjambre.workunits.transition.Event;
import org.enjambre.workunits.transition.Transitioner;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpotCheckerTest {
    private static final byte[] KNOWN = {42};
    private static final byte[] RIGHT = {1};
    private static final byte[] WRONG = {2};
    private static final Redundancy QUORUM2 = new Redundancy(2, 2, 3, 6, false, 0, 0.1);

    private final Reputations reps = new Reputations();
    private final SpotChecker checker = new SpotChecker(reps);
    private final Transitioner tr = Transitioner.exact();
    private final WorkerRef mallory = new WorkerRef("mallory", "m-account", null);

    private WorkUnit report(WorkUnit u, WorkerRef w, byte[] out) {
        Decision issued = tr.apply(u, new Event.Issue(w, 1, 100));
        int replica = ((Effect.Issued) issued.effects().get(0)).replica();
        Decision d = tr.apply(issued.unit(), new Event.Success(replica, w.workerId(), out, 2));
        reps.record(d);
        checker.track(d.unit());
        return d.unit();
    }

    private static Redundancy rate(double q) {
        return new Redundancy(1, 1, 3, 6, false, 0, q);
    }

    @Test
    void shouldSpotCheck_followsTheRate() {
        WorkerRef w = WorkerRef.of("w");
        assertThat(checker.shouldSpotCheck(w, rate(0.1), new FixedRandom(0.099))).isTrue();
        assertThat(checker.shouldSpotCheck(w, rate(0.1), new FixedRandom(0.1))).isFalse();
        assertThat(checker.shouldSpotCheck(w, rate(0), new FixedRandom(0.0))).isFalse();
    }

    @Test
    void shouldSpotCheck_neverForTheBlacklisted() {
        reps.update(mallory, Reputation::withSpotCheckFailed);
        assertThat(checker.shouldSpotCheck(mallory, rate(0.5), new FixedRandom(0.0))).isFalse();
        assertThat(checker.shouldSpotCheck(new WorkerRef("sybil", "m-account", null), rate(0.5), new FixedRandom(0.0))).isFalse();
    }

    @Test
    void shouldSpotCheck_checksNewWorkersMoreDuringTheWarmup() {
        SpotChecker warm = new SpotChecker(reps, new SpotCheckRate(2, 0.5, TrustRules.PRODUCTION.plan()));
        WorkerRef w = WorkerRef.of("w");
        assertThat(warm.shouldSpotCheck(w, rate(0.1), new FixedRandom(0.4))).isTrue();
        warm.judge(w, KNOWN, KNOWN, Arrays::equals);
        assertThat(warm.shouldSpotCheck(w, rate(0.1), new FixedRandom(0.4))).isTrue();
        warm.judge(w, KNOWN, KNOWN, Arrays::equals);
        assertThat(warm.shouldSpotCheck(w, rate(0.1), new FixedRandom(0.4))).isFalse();
        assertThat(warm.shouldSpotCheck(w, rate(0), new FixedRandom(0.0))).isFalse();
    }

    @Test
    void judge_rightAnswerCountsAPassedCheck() {
        SpotChecker.Check c = checker.judge(mallory, KNOWN, KNOWN, Arrays::equals);
        assertThat(c.passed()).isTrue();
        assertThat(c.invalidate()).isEmpty();
        assertThat(c.reputation()).isEqualTo(new Reputation(0, 0, 0, 1, 1, 0, false));
        assertThat(reps.account("m-account").spotChecksPassed()).isEqualTo(1);
    }

    @Test
    void judge_wrongAnswerBlacklistsAndBacktracksThePendingResults() {
        WorkerRef honest = WorkerRef.of("honest");
        WorkerRef other = WorkerRef.of("other");
        WorkUnit validated = report(report(WorkUnit.create("j", 0, QUORUM2), mallory, RIGHT), honest, RIGHT);
        assertThat(validated.state()).isEqualTo(UnitState.DONE);
        assertThat(checker.judge(mallory, KNOWN, KNOWN, Arrays::equals).passed()).isTrue();
        WorkUnit older = report(WorkUnit.create("j", 1, QUORUM2), mallory, WRONG);   // before a passed check
        assertThat(checker.judge(mallory, KNOWN, KNOWN, Arrays::equals).passed()).isTrue();
        WorkUnit newer = report(WorkUnit.create("j", 2, QUORUM2), mallory, WRONG);   // since the last passed check
        WorkUnit unrelated = report(WorkUnit.create("j", 3, QUORUM2), other, RIGHT);
        assertThat(checker.pendingUnits("mallory")).containsExactly("j/1", "j/2");

        SpotChecker.Check c = checker.judge(mallory, KNOWN, WRONG, Arrays::equals);

        assertThat(c.passed()).isFalse();
        assertThat(c.reputation().blacklisted()).isTrue();
        assertThat(reps.blacklisted(mallory)).isTrue();
        assertThat(reps.account("m-account").blacklisted()).isTrue();
        assertThat(c.invalidate()).containsExactly("j/1", "j/2");
        assertThat(checker.pendingUnits("mallory")).isEmpty();
        assertThat(checker.pendingUnits("other")).containsExactly("j/3");

        // the caller invalidates them: the results become INVALID and the units need a replica again
        for (WorkUnit u : new WorkUnit[]{older, newer}) {
            Decision d = tr.invalidate(u, "mallory");
            assertThat(d.effects()).containsExactly(new Effect.Judged(0, "mallory", false), new Effect.ReplicasCreated(1));
            assertThat(d.unit().task(0).validate()).isEqualTo(ValidateState.INVALID);
            assertThat(d.unit().task(0).output()).isNull();
            assertThat(d.unit().state()).isEqualTo(UnitState.NEEDS_REPLICAS);
            WorkUnit fixed = report(report(d.unit(), honest, RIGHT), other, RIGHT);
            assertThat(fixed.state()).isEqualTo(UnitState.DONE);
            assertThat(fixed.canonicalOutput()).contains(RIGHT);
        }
        // the validated unit is never revoked, and another worker's unit is untouched
        assertThat(tr.invalidate(validated, "mallory").unit()).isSameAs(validated);
        assertThat(tr.invalidate(unrelated, "mallory").unit()).isSameAs(unrelated);
    }

    @Test
    void track_forgetsResultsOnceJudged() {
        WorkUnit u = report(WorkUnit.create("j", 0, QUORUM2), mallory, RIGHT);
        assertThat(checker.hasPending("mallory")).isTrue();
        report(u, WorkerRef.of("b"), RIGHT);
        assertThat(checker.hasPending("mallory")).isFalse();
        assertThat(checker.judge(mallory, KNOWN, WRONG, Arrays::equals).invalidate()).isEmpty();
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new SpotCheckRate(-1, 0.5, TrustRules.PRODUCTION.plan())).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> new SpotCheckRate(5, 0.9, TrustRules.PRODUCTION.plan())).hasMessageContaining("the rate must be in [0, 0.5]");
    }
}
