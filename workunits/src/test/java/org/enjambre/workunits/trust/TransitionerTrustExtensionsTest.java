package org.enjambre.workunits.trust;

import org.enjambre.workunits.model.TaskState;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.ValidateState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.spec.Redundancy;
import org.enjambre.workunits.transition.Acceptance;
import org.enjambre.workunits.transition.Decision;
import org.enjambre.workunits.transition.Effect;
import org.enjambre.workunits.transition.Event;
import org.enjambre.workunits.transition.Transitioner;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transitioner's additions for trust: replan, revalidate, invalidate, and a pluggable acceptance. */
class TransitionerTrustExtensionsTest {
    private static final byte[] RIGHT = {1};
    private static final byte[] WRONG = {2};
    private static final Redundancy Q2 = new Redundancy(2, 2, 3, 6, true);
    private final Transitioner tr = Transitioner.exact();

    private WorkUnit sent(WorkUnit u, String w) {
        return tr.apply(u, new Event.Issue(WorkerRef.of(w), 1, 100)).unit();
    }

    @Test
    void replan_shrinksAnUnsentUnitToRunAlone() {
        WorkUnit u = WorkUnit.create("j", 0, Q2);
        Decision d = tr.replan(u, Q2.withReplicas(1, 1));
        assertThat(d.isAccepted()).isTrue();
        assertThat(d.effects()).isEmpty();
        assertThat(d.unit().tasks()).hasSize(1);
        assertThat(d.unit().policy()).isEqualTo(new Redundancy(1, 1, 3, 6, true));
        assertThat(d.unit().state()).isEqualTo(UnitState.NEEDS_REPLICAS);
        assertThat(d.unit().version()).isEqualTo(u.version() + 1);
    }

    @Test
    void replan_canAddReplicas() {
        Decision d = tr.replan(WorkUnit.create("j", 0, Q2), Q2.withReplicas(3, 2));
        assertThat(d.effects()).containsExactly(new Effect.ReplicasCreated(1));
        assertThat(d.unit().count(TaskState.UNSENT)).isEqualTo(3);
    }

    @Test
    void replan_samePolicyChangesNothing() {
        WorkUnit u = WorkUnit.create("j", 0, Q2);
        assertThat(tr.replan(u, Q2).unit()).isSameAs(u);
    }

    @Test
    void replan_isRefusedOnceAReplicaWasSent() {
        WorkUnit u = sent(WorkUnit.create("j", 0, Q2), "a");
        Decision d = tr.replan(u, Q2.withReplicas(1, 1));
        assertThat(d.isAccepted()).isFalse();
        assertThat(d.rejection().reason()).isEqualTo(Decision.Reason.CONFLICT);
        assertThat(d.rejection().message()).isEqualTo(
                "unit j/0 already has replicas sent (or is finished); its redundancy can no longer change");
        assertThat(d.unit()).isSameAs(u);
    }

    @Test
    void revalidate_withPlainQuorumChangesNothing() {
        WorkUnit u = tr.apply(sent(WorkUnit.create("j", 0, Q2), "a"), new Event.Success(0, "a", RIGHT, 2)).unit();
        assertThat(tr.revalidate(u).unit()).isSameAs(u);
        WorkUnit done = tr.apply(tr.apply(sent(u, "b"), new Event.Success(1, "b", RIGHT, 3)).unit(), new Event.Cancel("x", 4)).unit();
        assertThat(tr.revalidate(done).unit()).isSameAs(done);
    }

    @Test
    void invalidate_marksOnlyThatWorkersPendingResults() {
        WorkUnit u = WorkUnit.create("j", 0, new Redundancy(3, 2, 3, 6, false));
        u = sent(sent(sent(u, "a"), "b"), "c");
        u = tr.apply(u, new Event.Success(0, "a", WRONG, 2)).unit();
        u = tr.apply(u, new Event.Success(1, "b", RIGHT, 2)).unit();
        Decision d = tr.invalidate(u, "a");
        // c, still in progress, can still make a quorum with b: no replica needed yet
        assertThat(d.effects()).containsExactly(new Effect.Judged(0, "a", false));
        assertThat(d.unit().task(0).validate()).isEqualTo(ValidateState.INVALID);
        assertThat(d.unit().task(1).validate()).isEqualTo(ValidateState.PENDING);
        assertThat(d.unit().tasks()).hasSize(3);
        // c disagrees with b: now one more replica is needed
        Decision split = tr.apply(d.unit(), new Event.Success(2, "c", WRONG, 3));
        assertThat(split.effects()).containsExactly(new Effect.ReplicasCreated(1));
        // e agrees with b: done, and a's report again is a harmless duplicate
        WorkUnit after = tr.apply(sent(split.unit(), "e"), new Event.Success(3, "e", RIGHT, 4)).unit();
        assertThat(after.state()).isEqualTo(UnitState.DONE);
        assertThat(after.canonicalOutput()).contains(RIGHT);
        assertThat(after.task(0).validate()).isEqualTo(ValidateState.INVALID);
        Decision again = tr.apply(after, new Event.Success(0, "a", WRONG, 4));
        assertThat(again.isAccepted()).isTrue();
        assertThat(again.unit()).isSameAs(after);
    }

    /** A quorum-2 unit accepted on the results of {@code first} and {@code second}, both giving {@code output}. */
    private WorkUnit accepted(String first, String second, byte[] output) {
        WorkUnit u = sent(sent(WorkUnit.create("j", 0, Q2.withReplicas(2, 2)), first), second);
        u = tr.apply(u, new Event.Success(0, first, output, 2)).unit();
        u = tr.apply(u, new Event.Success(1, second, output, 3)).unit();
        assertThat(u.state()).isEqualTo(UnitState.DONE);
        return u;
    }

    @Test
    void reopen_aUnitTwoColludersAccepted_needsAFreshQuorumAndGetsTheRightAnswer() {
        WorkUnit u = accepted("s1", "s2", WRONG);
        Decision d = tr.reopen(u, "s1");
        assertThat(d.unit().state()).isEqualTo(UnitState.NEEDS_REPLICAS);
        assertThat(d.unit().canonical()).isEqualTo(-1);
        assertThat(d.unit().task(0).validate()).isEqualTo(ValidateState.INVALID);
        assertThat(d.effects()).containsExactly(new Effect.Judged(0, "s1", false), new Effect.ReplicasCreated(2));
        WorkUnit w = d.unit();
        w = tr.apply(sent(sent(w, "h1"), "h2"), new Event.Success(2, "h1", RIGHT, 5)).unit();
        w = tr.apply(w, new Event.Success(3, "h2", RIGHT, 6)).unit();
        assertThat(w.state()).isEqualTo(UnitState.DONE);
        assertThat(w.canonicalOutput()).contains(RIGHT);
        // the other colluder, caught next, changes nothing more: its result is no longer part of the accepted one
        assertThat(tr.reopen(w, "s2").unit().state()).isEqualTo(UnitState.DONE);
        assertThat(tr.reopen(w, "s2").unit().canonicalOutput()).contains(RIGHT);
    }

    @Test
    void reopen_anHonestCanonicalResult_countsAsAVote_andNeedsOneMoreAgreeing() {
        WorkUnit u = accepted("h1", "s1", RIGHT); // the saboteur told the truth this time
        Decision d = tr.reopen(u, "s1");
        assertThat(d.unit().state()).isEqualTo(UnitState.NEEDS_REPLICAS);
        assertThat(d.effects()).containsExactly(new Effect.Judged(1, "s1", false), new Effect.ReplicasCreated(1));
        WorkUnit w = tr.apply(sent(d.unit(), "h2"), new Event.Success(2, "h2", RIGHT, 5)).unit();
        assertThat(w.state()).isEqualTo(UnitState.DONE);
        assertThat(w.canonical()).isEqualTo(0);
        assertThat(w.task(0).validate()).isEqualTo(ValidateState.VALID);
    }

    @Test
    void reopen_withAQuorumLeft_keepsTheUnitAccepted_andAWorkerWithoutAValidResultChangesNothing() {
        WorkUnit u = sent(sent(sent(WorkUnit.create("j", 0, new Redundancy(3, 2, 3, 6, false)), "h1"), "h2"), "s1");
        u = tr.apply(u, new Event.Success(0, "h1", RIGHT, 2)).unit();
        u = tr.apply(u, new Event.Success(2, "s1", RIGHT, 2)).unit(); // accepted: h1 + s1
        u = tr.apply(u, new Event.Success(1, "h2", RIGHT, 3)).unit(); // a late agreeing result: VALID too
        assertThat(u.state()).isEqualTo(UnitState.DONE);
        Decision d = tr.reopen(u, "s1");
        assertThat(d.unit().state()).isEqualTo(UnitState.DONE);
        assertThat(d.unit().canonicalOutput()).contains(RIGHT);
        assertThat(d.unit().task(2).validate()).isEqualTo(ValidateState.INVALID);
        assertThat(tr.reopen(d.unit(), "nobody").unit()).isSameAs(d.unit());
        WorkUnit open = WorkUnit.create("j", 1, Q2);
        assertThat(tr.reopen(open, "s1").unit()).isSameAs(open);
    }

    @Test
    void reopen_whenNoFreshQuorumFitsInMaxResults_aSaboteursCanonicalResultFailsTheUnit() {
        Redundancy tight = new Redundancy(2, 2, 3, 2, false);
        WorkUnit u = sent(sent(WorkUnit.create("j", 0, tight), "s1"), "s2");
        u = tr.apply(u, new Event.Success(0, "s1", WRONG, 2)).unit();
        u = tr.apply(tr.apply(u, new Event.Success(1, "s2", WRONG, 3)).unit(), new Event.DeadlinePassed(4)).unit();
        Decision d = tr.reopen(u, "s1");
        assertThat(d.unit().state()).isEqualTo(UnitState.FAILED);
        assertThat(d.unit().failure()).contains("redundancy.maxResults");
    }

    @Test
    void invalidate_leavesOtherUnitsAlone() {
        WorkUnit u = sent(WorkUnit.create("j", 0, Q2), "a");
        assertThat(tr.invalidate(u, "a").unit()).isSameAs(u); // in progress, not a result yet
        assertThat(tr.invalidate(u, "z").unit()).isSameAs(u);
    }

    @Test
    void addReplica_addsOneUpToMaxResults() {
        WorkUnit u = sent(WorkUnit.create("j", 0, new Redundancy(1, 1, 3, 2, false, 0.9999, 0)), "a");
        Decision d = tr.addReplica(u);
        assertThat(d.effects()).containsExactly(new Effect.ReplicasCreated(1));
        assertThat(d.unit().state()).isEqualTo(UnitState.NEEDS_REPLICAS);
        assertThat(d.unit().tasks()).hasSize(2);
        Decision full = tr.addReplica(d.unit());
        assertThat(full.isAccepted()).isFalse();
        assertThat(full.rejection().message()).isEqualTo("unit j/0 already has 2 replicas (redundancy.maxResults)");
        WorkUnit cancelled = tr.apply(u, new Event.Cancel("stop", 3)).unit();
        assertThat(tr.addReplica(cancelled).rejection().message()).isEqualTo("unit j/0 is FAILED");
    }

    @Test
    void defaultAcceptanceIsPlainQuorum() {
        Transitioner explicit = new Transitioner(Arrays::equals, Acceptance.quorum());
        WorkUnit a = WorkUnit.create("j", 0, Q2);
        WorkUnit b = a;
        String[] workers = {"w1", "w2", "w3"};
        byte[][] outputs = {RIGHT, WRONG, RIGHT};
        for (int i = 0; i < 3; i++) {
            a = tr.apply(tr.apply(a, new Event.Issue(WorkerRef.of(workers[i]), 1, 100)).unit(),
                    new Event.Success(i, workers[i], outputs[i], 2)).unit();
            b = explicit.apply(explicit.apply(b, new Event.Issue(WorkerRef.of(workers[i]), 1, 100)).unit(),
                    new Event.Success(i, workers[i], outputs[i], 2)).unit();
        }
        assertThat(a.state()).isEqualTo(UnitState.DONE);
        assertThat(b.state()).isEqualTo(a.state());
        assertThat(b.canonical()).isEqualTo(a.canonical());
        assertThat(b.tasks()).hasSameSizeAs(a.tasks());
        assertThat(Acceptance.quorum().requirement(Q2)).isEqualTo("2 agreeing results");
    }

    @Test
    void verdict_rejectsContradictions() {
        assertThatThrownBy(() -> new Acceptance.Verdict(0, 1)).hasMessage("invalid verdict: accept 0, moreReplicas 1");
        assertThatThrownBy(() -> Acceptance.Verdict.pending(-1)).hasMessageContaining("moreReplicas -1");
        assertThat(Acceptance.Verdict.accept(2).accepted()).isTrue();
    }

    @Test
    void aBrokenAcceptanceIsCaught() {
        Transitioner broken = new Transitioner(Arrays::equals, new Acceptance() {
            @Override
            public Verdict judge(Redundancy policy, java.util.List<org.enjambre.workunits.model.Task> tasks,
                                 java.util.List<java.util.List<org.enjambre.workunits.model.Task>> groups) {
                return Verdict.accept(5);
            }

            @Override
            public String requirement(Redundancy policy) {
                return "nothing";
            }
        });
        WorkUnit u = broken.apply(WorkUnit.create("j", 0, Q2), new Event.Issue(WorkerRef.of("a"), 1, 100)).unit();
        assertThatThrownBy(() -> broken.apply(u, new Event.Success(0, "a", RIGHT, 2)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("accepted group 5 of 1");
    }
}
