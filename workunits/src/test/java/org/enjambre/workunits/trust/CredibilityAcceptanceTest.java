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
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CredibilityAcceptanceTest {
    private static final byte[] RIGHT = {1};
    private static final byte[] WRONG = {2};
    private static final Redundancy ONE_AT_0_9999 = new Redundancy(1, 1, 3, 6, false, 0.9999, 0.1);

    /** Sarmenta's credibility at f = 0.1 of a worker that passed one spot-check, and the five that end its probation. */
    private static final double ONE_CHECK = Credibility.assuming(0.1).ofChecks(1);
    private static final double PROBATION_OVER = Credibility.assuming(0.1).ofChecks(TrustRules.WARMUP_CHECKS);

    private final Map<String, Double> credibility = new HashMap<>();
    private final Transitioner tr = new Transitioner(Arrays::equals,
            new CredibilityAcceptance(t -> credibility.getOrDefault(t.workerId(), 0.9), PROBATION_OVER));

    private WorkUnit reported(WorkUnit u, String worker, byte[] output) {
        u = tr.apply(u, new Event.Issue(WorkerRef.of(worker), 1, 100)).unit();
        int replica = u.tasks().size() - 1;
        for (int i = 0; i < u.tasks().size(); i++) {
            if (worker.equals(u.task(i).workerId())) {
                replica = i;
            }
        }
        return tr.apply(u, new Event.Success(replica, worker, output, 2)).unit();
    }

    @Test
    void aCredibleResultIsAcceptedAlone() {
        credibility.put("old", 0.99995);
        WorkUnit u = reported(WorkUnit.create("j", 0, ONE_AT_0_9999), "old", RIGHT);
        assertThat(u.state()).isEqualTo(UnitState.DONE);
        assertThat(u.tasks()).hasSize(1);
        assertThat(u.canonicalOutput()).contains(RIGHT);
    }

    @Test
    void aStrangersResultWaitsWithoutMoreReplicasUntilItsWorkerIsCredible() {
        WorkUnit u = reported(WorkUnit.create("j", 0, ONE_AT_0_9999), "new", RIGHT);
        assertThat(u.state()).isEqualTo(UnitState.IN_PROGRESS);
        assertThat(u.tasks()).hasSize(1);
        assertThat(u.task(0).validate()).isEqualTo(ValidateState.PENDING);

        assertThat(tr.revalidate(u).unit()).isSameAs(u);

        credibility.put("new", 0.99991);
        Decision d = tr.revalidate(u);
        assertThat(d.unit().state()).isEqualTo(UnitState.DONE);
        assertThat(d.effects()).containsExactly(new Effect.Judged(0, "new", true), new Effect.Done(0));
    }

    @Test
    void disagreementWithNothingInProgressAsksForATieBreaker() {
        WorkUnit u = WorkUnit.create("j", 0, ONE_AT_0_9999);
        u = reported(u, "a", RIGHT);
        u = tr.invalidate(u, "a").unit(); // backtracking: a replica to recompute it
        assertThat(u.tasks()).hasSize(2);
        assertThat(u.state()).isEqualTo(UnitState.NEEDS_REPLICAS);
        u = reported(u, "b", RIGHT);
        assertThat(u.state()).isEqualTo(UnitState.IN_PROGRESS);

        WorkUnit v = WorkUnit.create("j", 1, new Redundancy(2, 1, 3, 6, false, 0.9999, 0));
        v = reported(v, "c", RIGHT);
        v = reported(v, "d", WRONG);
        assertThat(v.state()).isEqualTo(UnitState.NEEDS_REPLICAS);
        assertThat(v.tasks()).hasSize(3);
        credibility.put("e", 0.99999);
        v = reported(v, "e", RIGHT);
        assertThat(v.state()).isEqualTo(UnitState.DONE);
        assertThat(v.task(1).validate()).isEqualTo(ValidateState.INVALID);
    }

    @Test
    void agreeingStrangersAddUp() {
        Redundancy r = new Redundancy(2, 1, 3, 6, false, 0.98, 0);
        WorkUnit u = WorkUnit.create("j", 0, r);
        u = reported(u, "a", RIGHT);
        assertThat(u.state()).isEqualTo(UnitState.NEEDS_REPLICAS);
        u = reported(u, "b", RIGHT); // 0.81 / 0.82 = 0.9878 >= 0.98
        assertThat(u.state()).isEqualTo(UnitState.DONE);
    }

    @Test
    void withoutAThresholdItIsPlainQuorum() {
        WorkUnit u = WorkUnit.create("j", 0, new Redundancy(2, 2, 3, 6, false));
        u = reported(u, "a", RIGHT);
        assertThat(u.state()).isEqualTo(UnitState.NEEDS_REPLICAS);
        assertThat(u.tasks()).hasSize(2);
        u = reported(u, "b", WRONG);
        assertThat(u.state()).isEqualTo(UnitState.NEEDS_REPLICAS);
        assertThat(u.tasks()).hasSize(3);
        u = reported(u, "c", RIGHT);
        assertThat(u.state()).isEqualTo(UnitState.DONE);
    }

    @Test
    void runningOutOfReplicasFailsNamingTheThreshold() {
        Redundancy r = new Redundancy(1, 1, 3, 1, false, 0.9999, 0);
        WorkUnit u = reported(WorkUnit.create("j", 0, r), "a", RIGHT);
        Decision d = tr.invalidate(u, "a");
        assertThat(d.unit().state()).isEqualTo(UnitState.FAILED);
        assertThat(d.unit().failure()).isEqualTo(
                "no group of agreeing results with credibility 0.9999 within 1 replicas (redundancy.maxResults)");
    }

    @Test
    void groupCredibilities_reportsEveryGroup() {
        credibility.put("x", 0.99);
        CredibilityAcceptance acc = new CredibilityAcceptance(t -> credibility.getOrDefault(t.workerId(), 0.9), PROBATION_OVER);
        WorkUnit u = WorkUnit.create("j", 0, new Redundancy(2, 1, 3, 6, false, 0.9999, 0));
        u = reported(u, "x", RIGHT);
        u = reported(u, "y", WRONG);
        double[] c = acc.groupCredibilities(java.util.List.of(java.util.List.of(u.task(0)), java.util.List.of(u.task(1))));
        assertThat(c[0]).isGreaterThan(c[1]);
        assertThat(c[0] + c[1]).isLessThan(1);
    }

    /** Quorum 2 with spot-checks: a quorum needs a worker past its probation (5 checks), or one agreeing result more. */
    @org.junit.jupiter.api.Nested
    class VouchedQuorum {
        private final Redundancy quorumWithChecks = new Redundancy(2, 2, 3, 6, false, 0, 0.1);

        private WorkUnit pair(Redundancy p, String a, byte[] outA, String b, byte[] outB) {
            return reported(reported(WorkUnit.create("j", 0, p), a, outA), b, outB);
        }

        @Test
        void twoWorkersWithoutAPassedCheckAgree_theUnitWaitsForACheck_thenIsAccepted() {
            WorkUnit u = pair(quorumWithChecks, "a", RIGHT, "b", RIGHT);
            assertThat(u.state()).isEqualTo(UnitState.IN_PROGRESS);
            assertThat(u.tasks()).hasSize(2);
            assertThat(Transitioner.waitingForCredibility(u)).isTrue();

            credibility.put("b", ONE_CHECK); // b passed a spot-check (Event.Credible in the coordinator)
            assertThat(tr.revalidate(u).unit().state()).as("one passed check does not vouch").isEqualTo(UnitState.IN_PROGRESS);
            credibility.put("b", PROBATION_OVER); // and its fifth: probation over
            Decision d = tr.revalidate(u);
            assertThat(d.unit().state()).isEqualTo(UnitState.DONE);
            assertThat(d.unit().canonicalOutput()).contains(RIGHT);
        }

        @Test
        void aWorkerPastItsProbationInTheQuorum_acceptedAtOnce() {
            credibility.put("a", PROBATION_OVER);
            WorkUnit u = pair(quorumWithChecks, "a", RIGHT, "b", RIGHT);
            assertThat(u.state()).isEqualTo(UnitState.DONE);
            assertThat(u.tasks()).hasSize(2);
        }

        @Test
        void colludersWithoutChecksAgreeOnALie_itIsNotAccepted_honestReplicasOutvoteIt() {
            WorkUnit u = pair(quorumWithChecks, "sab1", WRONG, "sab2", WRONG);
            assertThat(u.state()).isEqualTo(UnitState.IN_PROGRESS);

            u = tr.apply(u, new Event.Stalled(3)).unit(); // the credibility wait passed: one more replica
            u = reported(u, "honest1", RIGHT);
            assertThat(u.state()).isEqualTo(UnitState.IN_PROGRESS); // 2 unchecked against 1: nothing accepted

            credibility.put("honest1", PROBATION_OVER);
            u = tr.revalidate(u).unit();
            assertThat(u.state()).isEqualTo(UnitState.IN_PROGRESS); // a checked 1 against an unchecked 2: still open

            u = tr.apply(u, new Event.Stalled(4)).unit();
            u = reported(u, "honest2", RIGHT);
            assertThat(u.state()).isEqualTo(UnitState.DONE); // a tie: the group with a checked worker wins
            assertThat(u.canonicalOutput()).contains(RIGHT);
        }

        @Test
        void aColluderThatPassedFourChecks_cannotVouchForItsPartnersLie() {
            credibility.put("sab1", Credibility.assuming(0.1).ofChecks(TrustRules.WARMUP_CHECKS - 1));
            WorkUnit u = pair(quorumWithChecks, "sab1", WRONG, "sab2", WRONG);
            assertThat(u.state()).isEqualTo(UnitState.IN_PROGRESS);
            assertThat(Transitioner.waitingForCredibility(u)).isTrue();
        }

        @Test
        void oneAgreeingResultMoreThanTheQuorum_acceptedWithoutChecks() {
            WorkUnit u = pair(quorumWithChecks, "a", RIGHT, "b", RIGHT);
            u = tr.apply(u, new Event.Stalled(3)).unit();
            u = reported(u, "c", RIGHT);
            assertThat(u.state()).isEqualTo(UnitState.DONE);
            assertThat(u.tasks()).hasSize(3);
        }

        @Test
        void withoutSpotChecks_plainQuorum() {
            WorkUnit u = pair(new Redundancy(2, 2, 3, 6, false), "a", RIGHT, "b", RIGHT);
            assertThat(u.state()).isEqualTo(UnitState.DONE);
        }

        @Test
        void atMaxResults_whatPlainQuorumAcceptsIsAccepted() {
            WorkUnit u = pair(new Redundancy(2, 2, 3, 2, false, 0, 0.1), "a", RIGHT, "b", RIGHT);
            assertThat(u.state()).isEqualTo(UnitState.DONE);
        }
    }
}
