package org.enjambre.workunits.transition;

import org.enjambre.workunits.model.Outcome;
import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.TaskState;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.ValidateState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.transition.Decision.Reason;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.function.BiPredicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.enjambre.workunits.transition.Units.DEADLINE;
import static org.enjambre.workunits.transition.Units.REPORTED_AT;
import static org.enjambre.workunits.transition.Units.SENT_AT;
import static org.enjambre.workunits.transition.Units.accept;
import static org.enjambre.workunits.transition.Units.bytes;
import static org.enjambre.workunits.transition.Units.error;
import static org.enjambre.workunits.transition.Units.issue;
import static org.enjambre.workunits.transition.Units.issued;
import static org.enjambre.workunits.transition.Units.success;
import static org.enjambre.workunits.transition.Units.unit;

class TransitionerTest {
    private static final Transitioner T = Transitioner.exact();

    private static void assertRejected(Decision d, WorkUnit before, Reason reason, String message) {
        assertThat(d.isAccepted()).isFalse();
        assertThat(d.rejection().reason()).isEqualTo(reason);
        assertThat(d.rejection().message()).isEqualTo(message);
        assertThat(d.unit()).isSameAs(before);
        assertThat(d.effects()).isEmpty();
        assertThat(d.changed(before)).isFalse();
    }

    private static void assertNoOp(Decision d, WorkUnit before) {
        assertThat(d.isAccepted()).isTrue();
        assertThat(d.unit()).isSameAs(before);
        assertThat(d.effects()).isEmpty();
        assertThat(d.changed(before)).isFalse();
    }

    /** A unit of policy 2/2/3/6 whose two replicas agreed on "A": done, canonical 0. */
    private static WorkUnit doneUnit() {
        WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");
        u = accept(u, success(0, "w1", "A"));
        return accept(u, success(1, "w2", "A"));
    }

    @Nested
    class Issue {
        @Test
        void issue_freshUnit_sendsReplicaZero() {
            WorkUnit u = unit(2, 2, 3, 6);
            Decision d = T.apply(u, issue("w1"));

            assertThat(d.isAccepted()).isTrue();
            assertThat(d.effects()).containsExactly(new Effect.Issued(0, "w1"));
            Task t = d.unit().task(0);
            assertThat(t.state()).isEqualTo(TaskState.IN_PROGRESS);
            assertThat(t.worker()).isEqualTo(WorkerRef.of("w1"));
            assertThat(t.sentAt()).isEqualTo(SENT_AT);
            assertThat(t.deadline()).isEqualTo(DEADLINE);
            assertThat(t.outcome()).isEqualTo(Outcome.NONE);
            assertThat(d.unit().task(1).state()).isEqualTo(TaskState.UNSENT);
            assertThat(d.unit().state()).isEqualTo(UnitState.NEEDS_REPLICAS);
            assertThat(d.unit().version()).isEqualTo(1);
            assertThat(d.changed(u)).isTrue();
        }

        @Test
        void issue_twoWorkers_getReplicasInOrder() {
            WorkUnit u = issued(unit(3, 2, 3, 9), "w1", "w2");

            assertThat(u.tasks()).extracting(Task::workerId).containsExactly("w1", "w2", null);
            assertThat(u.version()).isEqualTo(2);
        }

        @Test
        void issue_lastUnsentReplica_makesUnitInProgress() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");

            assertThat(u.state()).isEqualTo(UnitState.IN_PROGRESS);
            assertThat(u.count(TaskState.UNSENT)).isZero();
        }

        @Test
        void issue_oneReplicaPolicy_makesUnitInProgress() {
            WorkUnit u = accept(unit(1, 1, 3, 6), issue("w1"));

            assertThat(u.state()).isEqualTo(UnitState.IN_PROGRESS);
        }

        @Test
        void issue_sameWorkerTwice_isRefused() {
            WorkUnit u = issued(unit(3, 2, 3, 9), "w1");

            Decision d = T.apply(u, issue("w1"));

            assertRejected(d, u, Reason.NOTHING_TO_ISSUE,
                    "worker w1 (or its account or host) already has a replica of unit job/0");
            assertThat(Transitioner.canIssue(u, WorkerRef.of("w1"))).isFalse();
            assertThat(Transitioner.canIssue(u, WorkerRef.of("w2"))).isTrue();
        }

        @Test
        void issue_aWorkerWhoseReplicaWasReleased_mayTakeTheUnitAgain_butNotAfterAnErrorOrNoReply() {
            WorkUnit u = issued(unit(2, 2, 3, 9), "w1", "w2");
            WorkUnit released = accept(u, new Event.Release("w1", "it no longer holds it", 5));
            assertThat(Transitioner.canIssue(released, WorkerRef.of("w1"))).as("released").isTrue();
            assertThat(Transitioner.canIssue(released, WorkerRef.of("w2"))).as("still holds one").isFalse();
            WorkUnit late = accept(u, new Event.DeadlinePassed(DEADLINE));
            assertThat(Transitioner.canIssue(late, WorkerRef.of("w1"))).as("no reply: an error, it binds").isFalse();
            WorkUnit errored = accept(u, new Event.ClientError(0, "w1", "out of memory", 5));
            assertThat(Transitioner.canIssue(errored, WorkerRef.of("w1"))).as("its result was an error").isFalse();
            // Taken again, the old replica's late report is refused: one result per worker.
            WorkUnit again = accept(released, issue("w1"));
            assertThat(again.task(2).worker()).isEqualTo(WorkerRef.of("w1"));
            Decision old = T.apply(again, new Event.Success(0, "w1", new byte[]{1}, DEADLINE + 1));
            assertRejected(old, again, Reason.CONFLICT, "task job/0/0 ended without a report and its worker took the unit "
                    + "again as replica 2; only that replica's result is used");
        }

        @Test
        void issue_sameAccount_isRefused() {
            WorkUnit u = accept(unit(3, 2, 3, 9), issue(new WorkerRef("w1", "alice", "h1")));

            Decision d = T.apply(u, issue(new WorkerRef("w2", "alice", "h2")));

            assertRejected(d, u, Reason.NOTHING_TO_ISSUE,
                    "worker w2 (or its account or host) already has a replica of unit job/0");
        }

        @Test
        void issue_sameHost_isRefused() {
            WorkUnit u = accept(unit(3, 2, 3, 9), issue(new WorkerRef("w1", "alice", "box")));

            Decision d = T.apply(u, issue(new WorkerRef("w2", "bob", "box")));

            assertThat(d.rejection().reason()).isEqualTo(Reason.NOTHING_TO_ISSUE);
            assertThat(d.unit()).isSameAs(u);
        }

        @Test
        void issue_nullAccountsAndHosts_areNotCompared() {
            WorkUnit u = unit(4, 2, 3, 9);
            u = accept(u, issue(new WorkerRef("w1", null, null)));
            u = accept(u, issue(new WorkerRef("w2", null, null)));
            u = accept(u, issue(new WorkerRef("w3", "alice", null)));
            u = accept(u, issue(new WorkerRef("w4", null, "box")));

            assertThat(u.tasks()).extracting(Task::workerId).containsExactly("w1", "w2", "w3", "w4");
        }

        @Test
        void issue_differentAccountsAndHosts_areAccepted() {
            WorkUnit u = accept(unit(2, 2, 3, 6), issue(new WorkerRef("w1", "alice", "box1")));

            u = accept(u, issue(new WorkerRef("w2", "bob", "box2")));

            assertThat(u.task(1).worker()).isEqualTo(new WorkerRef("w2", "bob", "box2"));
        }

        @Test
        void issue_nothingUnsent_isRefused() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");

            Decision d = T.apply(u, issue("w3"));

            assertRejected(d, u, Reason.NOTHING_TO_ISSUE, "unit job/0 has no unsent replica");
            assertThat(Transitioner.canIssue(u, WorkerRef.of("w3"))).isFalse();
        }

        @Test
        void issue_doneUnit_isRefused() {
            WorkUnit u = doneUnit();

            assertRejected(T.apply(u, issue("w9")), u, Reason.NOTHING_TO_ISSUE, "unit job/0 is DONE");
        }

        @Test
        void issue_cancelledUnit_isRefused() {
            WorkUnit u = accept(unit(2, 2, 3, 6), new Event.Cancel("stop", 1));

            assertRejected(T.apply(u, issue("w9")), u, Reason.NOTHING_TO_ISSUE, "unit job/0 is FAILED");
        }

        @Test
        void issue_workerWhoseReplicaErred_isRefusedTheReplacement() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");
            u = accept(u, error(0, "w1"));
            assertThat(u.count(TaskState.UNSENT)).isEqualTo(1);

            assertThat(T.apply(u, issue("w1")).rejection().reason()).isEqualTo(Reason.NOTHING_TO_ISSUE);
            assertThat(accept(u, issue("w3")).task(2).workerId()).isEqualTo("w3");
        }
    }

    @Nested
    class Validation {
        @Test
        void success_firstResult_waitsForQuorum() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");

            Decision d = T.apply(u, success(0, "w1", "A"));

            assertThat(d.effects()).isEmpty();
            assertThat(d.unit().state()).isEqualTo(UnitState.IN_PROGRESS);
            Task t = d.unit().task(0);
            assertThat(t.state()).isEqualTo(TaskState.OVER);
            assertThat(t.outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(t.validate()).isEqualTo(ValidateState.PENDING);
            assertThat(t.reportedAt()).isEqualTo(REPORTED_AT);
            assertThat(t.output()).isEqualTo(bytes("A"));
            assertThat(d.unit().version()).isEqualTo(u.version() + 1);
        }

        @Test
        void success_secondAgreeingResult_makesUnitDone() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");
            u = accept(u, success(0, "w1", "A"));

            Decision d = T.apply(u, success(1, "w2", "A"));

            WorkUnit done = d.unit();
            assertThat(done.state()).isEqualTo(UnitState.DONE);
            assertThat(done.canonical()).isZero();
            assertThat(done.canonicalOutput()).hasValueSatisfying(o -> assertThat(o).isEqualTo(bytes("A")));
            assertThat(done.tasks()).extracting(Task::validate).containsExactly(ValidateState.VALID, ValidateState.VALID);
            assertThat(done.task(1).output()).as("only the canonical output is kept").isNull();
            assertThat(done.failure()).isNull();
            assertThat(d.effects()).containsExactly(
                    new Effect.Judged(0, "w1", true), new Effect.Judged(1, "w2", true), new Effect.Done(0));
            assertThat(done.version()).isEqualTo(u.version() + 1);
        }

        @Test
        void success_quorumReached_canonicalIsEarliestAgreeingReplica() {
            WorkUnit u = issued(unit(3, 2, 3, 9), "w1", "w2", "w3");
            u = accept(u, success(1, "w2", "A"));
            u = accept(u, success(2, "w3", "B"));

            Decision d = T.apply(u, success(0, "w1", "A"));

            assertThat(d.unit().state()).isEqualTo(UnitState.DONE);
            assertThat(d.unit().canonical()).isZero();
            assertThat(d.unit().tasks()).extracting(Task::validate)
                    .containsExactly(ValidateState.VALID, ValidateState.VALID, ValidateState.INVALID);
            assertThat(d.unit().tasks()).extracting(Task::output)
                    .containsExactly(bytes("A"), null, null);
            assertThat(d.effects()).containsExactly(new Effect.Judged(0, "w1", true), new Effect.Judged(1, "w2", true),
                    new Effect.Judged(2, "w3", false), new Effect.Done(0));
        }

        @Test
        void success_quorumReached_canonicalIsNotTheFirstReportButTheFirstReplicaOfTheAgreeingGroup() {
            WorkUnit u = issued(unit(3, 2, 3, 9), "w1", "w2", "w3");
            u = accept(u, success(0, "w1", "B"));
            u = accept(u, success(2, "w3", "A"));

            WorkUnit done = accept(u, success(1, "w2", "A"));

            assertThat(done.canonical()).isEqualTo(1);
            assertThat(done.canonicalOutput()).hasValueSatisfying(o -> assertThat(o).isEqualTo(bytes("A")));
            assertThat(done.tasks()).extracting(Task::validate)
                    .containsExactly(ValidateState.INVALID, ValidateState.VALID, ValidateState.VALID);
        }

        @Test
        void success_quorumReached_unsentReplicasAreNotNeeded() {
            WorkUnit u = issued(unit(3, 2, 3, 9), "w1", "w2");
            u = accept(u, success(0, "w1", "A"));

            WorkUnit done = accept(u, success(1, "w2", "A"));

            Task unsent = done.task(2);
            assertThat(unsent.state()).isEqualTo(TaskState.OVER);
            assertThat(unsent.outcome()).isEqualTo(Outcome.DIDNT_NEED);
            assertThat(unsent.worker()).isNull();
            assertThat(done.count(TaskState.UNSENT)).isZero();
        }

        @Test
        void success_quorumReached_replicaInProgressStaysInProgress() {
            WorkUnit u = issued(unit(3, 2, 3, 9), "w1", "w2", "w3");
            u = accept(u, success(0, "w1", "A"));

            WorkUnit done = accept(u, success(1, "w2", "A"));

            assertThat(done.state()).isEqualTo(UnitState.DONE);
            assertThat(done.task(2).state()).isEqualTo(TaskState.IN_PROGRESS);
            assertThat(done.task(2).validate()).isEqualTo(ValidateState.PENDING);
        }

        @Test
        void success_disagreement_createsNewReplica() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");
            u = accept(u, success(0, "w1", "A"));

            Decision d = T.apply(u, success(1, "w2", "B"));

            assertThat(d.effects()).containsExactly(new Effect.ReplicasCreated(1));
            assertThat(d.unit().state()).isEqualTo(UnitState.NEEDS_REPLICAS);
            assertThat(d.unit().tasks()).hasSize(3);
            assertThat(d.unit().task(2)).isEqualTo(Task.unsent(2));
            assertThat(d.unit().tasks()).extracting(Task::validate).containsOnly(ValidateState.PENDING);
        }

        @Test
        void success_tieBreakerAgreesWithFirst_makesUnitDoneAndSecondInvalid() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");
            u = accept(u, success(0, "w1", "A"));
            u = accept(u, success(1, "w2", "B"));
            u = accept(u, issue("w3"));
            assertThat(u.state()).isEqualTo(UnitState.IN_PROGRESS);

            Decision d = T.apply(u, success(2, "w3", "A"));

            assertThat(d.unit().state()).isEqualTo(UnitState.DONE);
            assertThat(d.unit().canonical()).isZero();
            assertThat(d.effects()).containsExactly(new Effect.Judged(0, "w1", true), new Effect.Judged(1, "w2", false),
                    new Effect.Judged(2, "w3", true), new Effect.Done(0));
        }

        @Test
        void success_maxResultsReachedWithoutAgreement_failsUnit() {
            WorkUnit u = issued(unit(2, 2, 3, 3), "w1", "w2");
            u = accept(u, success(0, "w1", "A"));
            u = accept(u, success(1, "w2", "B"));
            u = accept(u, issue("w3"));

            Decision d = T.apply(u, success(2, "w3", "C"));

            String reason = "no 2 agreeing results within 3 replicas (redundancy.maxResults)";
            assertThat(d.unit().state()).isEqualTo(UnitState.FAILED);
            assertThat(d.unit().failure()).isEqualTo(reason);
            assertThat(d.unit().canonical()).isEqualTo(-1);
            assertThat(d.unit().tasks()).hasSize(3);
            assertThat(d.unit().tasks()).extracting(Task::validate).containsOnly(ValidateState.INCONCLUSIVE);
            assertThat(d.unit().tasks()).extracting(Task::output).containsOnlyNulls();
            assertThat(d.effects()).containsExactly(new Effect.Failed(reason));
        }

        @Test
        void success_quorumOneReplicasOne_isDoneAfterOneSuccess() {
            WorkUnit u = issued(unit(1, 1, 3, 6), "w1");

            Decision d = T.apply(u, success(0, "w1", "A"));

            assertThat(d.unit().state()).isEqualTo(UnitState.DONE);
            assertThat(d.unit().canonical()).isZero();
            assertThat(d.unit().task(0).validate()).isEqualTo(ValidateState.VALID);
            assertThat(d.effects()).containsExactly(new Effect.Judged(0, "w1", true), new Effect.Done(0));
        }

        @Test
        void success_quorumOneReplicasTwo_isDoneAfterFirstSuccess() {
            WorkUnit u = issued(unit(2, 1, 3, 6), "w1", "w2");

            WorkUnit done = accept(u, success(1, "w2", "A"));

            assertThat(done.state()).isEqualTo(UnitState.DONE);
            assertThat(done.canonical()).isEqualTo(1);
            assertThat(done.task(0).state()).isEqualTo(TaskState.IN_PROGRESS);
        }

        @Test
        void success_replicasThreeQuorumTwo_oneResultIsNotEnough() {
            WorkUnit u = issued(unit(3, 2, 3, 9), "w1", "w2", "w3");

            u = accept(u, success(2, "w3", "A"));

            assertThat(u.state()).isEqualTo(UnitState.IN_PROGRESS);
            assertThat(u.tasks()).hasSize(3);
        }

        @Test
        void success_replicasThreeQuorumTwo_threeDifferentResultsCreateOneReplica() {
            WorkUnit u = issued(unit(3, 2, 3, 9), "w1", "w2", "w3");
            u = accept(u, success(0, "w1", "A"));
            u = accept(u, success(1, "w2", "B"));

            Decision d = T.apply(u, success(2, "w3", "C"));

            assertThat(d.effects()).containsExactly(new Effect.ReplicasCreated(1));
            assertThat(d.unit().tasks()).hasSize(4);
            assertThat(d.unit().state()).isEqualTo(UnitState.NEEDS_REPLICAS);
        }

        @Test
        void success_quorumThree_needsThreeAgreeingResults() {
            WorkUnit u = issued(unit(3, 3, 3, 9), "w1", "w2", "w3");
            u = accept(u, success(0, "w1", "A"));
            u = accept(u, success(1, "w2", "A"));
            assertThat(u.state()).isEqualTo(UnitState.IN_PROGRESS);

            u = accept(u, success(2, "w3", "A"));

            assertThat(u.state()).isEqualTo(UnitState.DONE);
            assertThat(u.tasks()).extracting(Task::validate).containsOnly(ValidateState.VALID);
        }
    }

    @Nested
    class Errors {
        @Test
        void clientError_withinMaxErrors_createsReplacement() {
            WorkUnit u = issued(unit(2, 2, 1, 6), "w1", "w2");

            Decision d = T.apply(u, new Event.ClientError(0, "w1", "out of memory", REPORTED_AT));

            assertThat(d.effects()).containsExactly(new Effect.Errored(0, "w1", false), new Effect.ReplicasCreated(1));
            Task t = d.unit().task(0);
            assertThat(t.state()).isEqualTo(TaskState.OVER);
            assertThat(t.outcome()).isEqualTo(Outcome.CLIENT_ERROR);
            assertThat(t.error()).isEqualTo("out of memory");
            assertThat(t.reportedAt()).isEqualTo(REPORTED_AT);
            assertThat(d.unit().state()).isEqualTo(UnitState.NEEDS_REPLICAS);
            assertThat(d.unit().tasks()).hasSize(3);
        }

        @Test
        void clientError_withoutMessage_getsAGenericOne() {
            WorkUnit u = issued(unit(2, 2, 1, 6), "w1", "w2");

            u = accept(u, new Event.ClientError(0, "w1", null, REPORTED_AT));

            assertThat(u.task(0).error()).isEqualTo("unknown error");
        }

        @Test
        void clientError_beyondMaxErrors_failsUnit() {
            WorkUnit u = issued(unit(2, 2, 1, 6), "w1", "w2");
            u = accept(u, error(0, "w1"));

            Decision d = T.apply(u, error(1, "w2"));

            String reason = "too many errors: 2 replicas failed (redundancy.maxErrors is 1): \"boom\"";
            assertThat(d.unit().state()).isEqualTo(UnitState.FAILED);
            assertThat(d.unit().failure()).isEqualTo(reason);
            assertThat(d.effects()).containsExactly(new Effect.Errored(1, "w2", false), new Effect.Failed(reason));
            assertThat(d.unit().task(2).outcome()).as("the unsent replacement").isEqualTo(Outcome.DIDNT_NEED);
        }

        @Test
        void clientError_maxErrorsZero_failsOnFirstError() {
            WorkUnit u = issued(unit(2, 2, 0, 6), "w1", "w2");

            WorkUnit failed = accept(u, error(1, "w2"));

            assertThat(failed.state()).isEqualTo(UnitState.FAILED);
            assertThat(failed.failure()).isEqualTo("too many errors: 1 replicas failed (redundancy.maxErrors is 0): \"boom\"");
            assertThat(failed.task(0).state()).as("kept, so its report is still accepted").isEqualTo(TaskState.IN_PROGRESS);
        }

        @Test
        void clientError_exactlyMaxErrors_doesNotFailUnit() {
            WorkUnit u = issued(unit(2, 2, 2, 6), "w1", "w2");
            u = accept(u, error(0, "w1"));
            u = accept(u, issue("w3"));

            u = accept(u, error(2, "w3"));

            assertThat(u.state()).isEqualTo(UnitState.NEEDS_REPLICAS);
            assertThat(u.tasks()).hasSize(4);
        }

        @Test
        void clientError_replicaTargetBeyondMaxResults_keepsGoingWhileQuorumIsReachable() {
            // 3 replicas wanted, quorum 2, 4 results at most: after two errors one replica is on a worker
            // and one is unsent, so two agreeing results are still possible within maxResults.
            WorkUnit u = issued(unit(3, 2, 3, 4), "w1", "w2", "w3");
            u = accept(u, error(0, "w1"));
            assertThat(u.tasks()).hasSize(4);

            Decision d = T.apply(u, error(1, "w2"));

            assertThat(d.unit().state()).isEqualTo(UnitState.NEEDS_REPLICAS);
            assertThat(d.unit().tasks()).hasSize(4);
            assertThat(d.effects()).containsExactly(new Effect.Errored(1, "w2", false));
            WorkUnit u2 = accept(d.unit(), issue("w4"));
            u2 = accept(u2, success(2, "w3", "A"));
            u2 = accept(u2, success(3, "w4", "A"));
            assertThat(u2.state()).isEqualTo(UnitState.DONE);
            assertThat(u2.canonical()).isEqualTo(2);
        }

        @Test
        void clientError_replicasEqualMaxResults_othersCanStillSucceed() {
            // found by TransitionerPropertiesTest: the unit used to fail on its first error
            WorkUnit u = issued(unit(2, 1, 3, 2), "w1", "w2");

            Decision d = T.apply(u, error(0, "w1"));

            assertThat(d.unit().state()).isEqualTo(UnitState.IN_PROGRESS);
            assertThat(d.effects()).containsExactly(new Effect.Errored(0, "w1", false));
            WorkUnit done = accept(d.unit(), success(1, "w2", "A"));
            assertThat(done.state()).isEqualTo(UnitState.DONE);
            assertThat(done.canonical()).isEqualTo(1);
        }

        @Test
        void clientError_quorumOutOfReachWithinMaxResults_failsUnit() {
            WorkUnit u = issued(unit(2, 2, 3, 2), "w1", "w2");

            Decision d = T.apply(u, error(0, "w1"));

            assertThat(d.unit().state()).isEqualTo(UnitState.FAILED);
            assertThat(d.unit().failure()).isEqualTo("no 2 agreeing results within 2 replicas (redundancy.maxResults)");
        }

        @Test
        void clientError_afterSuccess_isConflict() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");
            u = accept(u, success(0, "w1", "A"));

            assertRejected(T.apply(u, error(0, "w1")), u, Reason.CONFLICT, "task job/0/0 was already reported with an output");
        }

        @Test
        void success_afterClientError_isConflict() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");
            u = accept(u, error(0, "w1"));

            assertRejected(T.apply(u, success(0, "w1", "A")), u, Reason.CONFLICT, "task job/0/0 was already reported as an error");
        }

        @Test
        void clientError_duplicate_isIdempotent() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");
            u = accept(u, error(0, "w1"));

            assertNoOp(T.apply(u, error(0, "w1")), u);
        }

        @Test
        void clientError_afterNoReply_isIgnored() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");
            u = accept(u, new Event.DeadlinePassed(DEADLINE));

            assertNoOp(T.apply(u, error(0, "w1")), u);
        }

        @Test
        void clientError_afterDone_isRecordedWithoutChangingState() {
            WorkUnit u = issued(unit(3, 2, 3, 9), "w1", "w2", "w3");
            u = accept(u, success(0, "w1", "A"));
            u = accept(u, success(1, "w2", "A"));

            Decision d = T.apply(u, error(2, "w3"));

            assertThat(d.unit().state()).isEqualTo(UnitState.DONE);
            assertThat(d.unit().canonical()).isZero();
            assertThat(d.unit().task(2).outcome()).isEqualTo(Outcome.CLIENT_ERROR);
            assertThat(d.effects()).containsExactly(new Effect.Errored(2, "w3", false));
            assertThat(d.unit().tasks()).hasSize(3);
        }
    }

    @Nested
    class Deadlines {
        @Test
        void deadline_notYetPassed_changesNothing() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");

            assertNoOp(T.apply(u, new Event.DeadlinePassed(DEADLINE - 1)), u);
        }

        @Test
        void deadline_passed_marksNoReplyAndCreatesReplacement() {
            WorkUnit u = accept(issued(unit(2, 2, 3, 6), "w1"), new Event.Issue(WorkerRef.of("w2"), SENT_AT, DEADLINE * 2));

            Decision d = T.apply(u, new Event.DeadlinePassed(DEADLINE));

            Task t = d.unit().task(0);
            assertThat(t.state()).isEqualTo(TaskState.OVER);
            assertThat(t.outcome()).isEqualTo(Outcome.NO_REPLY);
            assertThat(t.reportedAt()).isEqualTo(DEADLINE);
            assertThat(t.error()).isEqualTo("no reply by the deadline");
            assertThat(d.unit().task(1).state()).isEqualTo(TaskState.IN_PROGRESS);
            assertThat(d.unit().task(2)).isEqualTo(Task.unsent(2));
            assertThat(d.unit().state()).isEqualTo(UnitState.NEEDS_REPLICAS);
            assertThat(d.effects()).containsExactly(new Effect.Errored(0, "w1", true), new Effect.ReplicasCreated(1));
        }

        @Test
        void deadline_passedForAll_replacesAll() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");

            Decision d = T.apply(u, new Event.DeadlinePassed(DEADLINE + 5));

            assertThat(d.effects()).containsExactly(new Effect.Errored(0, "w1", true), new Effect.Errored(1, "w2", true),
                    new Effect.ReplicasCreated(2));
            assertThat(d.unit().tasks()).hasSize(4);
        }

        @Test
        void deadline_unsentReplicas_neverTimeOut() {
            WorkUnit u = unit(2, 2, 3, 6);

            assertNoOp(T.apply(u, new Event.DeadlinePassed(Long.MAX_VALUE)), u);
        }

        @Test
        void deadline_beyondMaxErrors_failsUnit() {
            WorkUnit u = issued(unit(2, 2, 1, 6), "w1", "w2");

            Decision d = T.apply(u, new Event.DeadlinePassed(DEADLINE));

            assertThat(d.unit().state()).isEqualTo(UnitState.FAILED);
            assertThat(d.unit().failure()).isEqualTo("too many errors: 2 replicas failed (redundancy.maxErrors is 1): "
                    + "\"no reply by the deadline\"");
        }

        @Test
        void clientError_beyondMaxErrors_quotesFirstDistinctMessagesShortened() {
            WorkUnit u = issued(unit(4, 4, 3, 8), "w1", "w2", "w3", "w4");
            u = accept(u, new Event.ClientError(0, "w1", "module ran longer than 27s", REPORTED_AT));
            u = accept(u, new Event.ClientError(1, "w2", "module ran longer than 27s", REPORTED_AT));
            u = accept(u, new Event.ClientError(2, "w3", "memory had grown\nto its limit " + "x".repeat(100), REPORTED_AT));

            WorkUnit failed = accept(u, new Event.ClientError(3, "w4", "trap: unreachable", REPORTED_AT));

            assertThat(failed.failure()).isEqualTo("too many errors: 4 replicas failed (redundancy.maxErrors is 3): "
                    + "\"module ran longer than 27s\", \"memory had grown to its limit " + "x".repeat(49) + "…\", "
                    + "\"trap: unreachable\"");
        }

        @Test
        void success_lateAfterNoReply_isUsedAndCompletesQuorum() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");
            u = accept(u, success(1, "w2", "A"));
            u = accept(u, new Event.DeadlinePassed(DEADLINE));
            assertThat(u.task(0).outcome()).isEqualTo(Outcome.NO_REPLY);
            assertThat(u.tasks()).hasSize(3);

            Decision d = T.apply(u, new Event.Success(0, "w1", bytes("A"), DEADLINE + 10));

            assertThat(d.unit().state()).isEqualTo(UnitState.DONE);
            assertThat(d.unit().canonical()).isZero();
            assertThat(d.unit().task(0).outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(d.unit().task(0).reportedAt()).isEqualTo(DEADLINE + 10);
            assertThat(d.unit().task(2).outcome()).isEqualTo(Outcome.DIDNT_NEED);
            assertThat(d.effects()).containsExactly(new Effect.Judged(0, "w1", true), new Effect.Judged(1, "w2", true),
                    new Effect.Done(0));
        }

        @Test
        void success_lateAfterNoReply_noLongerCountsAsAnError() {
            WorkUnit u = issued(unit(2, 2, 1, 6), "w1", "w2");
            u = accept(u, success(1, "w2", "A"));
            u = accept(u, new Event.DeadlinePassed(DEADLINE));
            u = accept(u, issue("w3"));
            u = accept(u, new Event.Success(0, "w1", bytes("B"), DEADLINE + 10));

            Decision d = T.apply(u, error(2, "w3"));

            assertThat(d.unit().state()).as("one error of one allowed").isEqualTo(UnitState.NEEDS_REPLICAS);
            assertThat(d.effects()).containsExactly(new Effect.Errored(2, "w3", false), new Effect.ReplicasCreated(1));
        }

        @Test
        void success_lateAfterDone_isJudgedValidAgainstCanonical() {
            WorkUnit u = issued(unit(3, 2, 3, 9), "w1", "w2", "w3");
            u = accept(u, success(0, "w1", "A"));
            u = accept(u, success(1, "w2", "A"));

            Decision d = T.apply(u, success(2, "w3", "A"));

            assertThat(d.unit().state()).isEqualTo(UnitState.DONE);
            assertThat(d.unit().canonical()).isZero();
            assertThat(d.unit().task(2).outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(d.unit().task(2).validate()).isEqualTo(ValidateState.VALID);
            assertThat(d.unit().task(2).output()).isNull();
            assertThat(d.effects()).containsExactly(new Effect.Judged(2, "w3", true));
            assertThat(d.unit().version()).isEqualTo(u.version() + 1);
        }

        @Test
        void success_lateAfterDone_isJudgedInvalidWhenItDisagrees() {
            WorkUnit u = issued(unit(3, 2, 3, 9), "w1", "w2", "w3");
            u = accept(u, success(0, "w1", "A"));
            u = accept(u, success(1, "w2", "A"));

            Decision d = T.apply(u, success(2, "w3", "B"));

            assertThat(d.unit().task(2).validate()).isEqualTo(ValidateState.INVALID);
            assertThat(d.effects()).containsExactly(new Effect.Judged(2, "w3", false));
            assertThat(d.unit().canonicalOutput()).hasValueSatisfying(o -> assertThat(o).isEqualTo(bytes("A")));
        }

        @Test
        void success_lateAfterDoneAndNoReply_isStillJudged() {
            WorkUnit u = issued(unit(3, 2, 3, 9), "w1", "w2", "w3");
            u = accept(u, success(0, "w1", "A"));
            u = accept(u, success(1, "w2", "A"));
            Decision timeout = T.apply(u, new Event.DeadlinePassed(DEADLINE));
            assertThat(timeout.effects()).containsExactly(new Effect.Errored(2, "w3", true));
            assertThat(timeout.unit().state()).isEqualTo(UnitState.DONE);
            assertThat(timeout.unit().tasks()).as("a done unit needs no replacement").hasSize(3);

            Decision d = T.apply(timeout.unit(), success(2, "w3", "A"));

            assertThat(d.unit().task(2).validate()).isEqualTo(ValidateState.VALID);
            assertThat(d.effects()).containsExactly(new Effect.Judged(2, "w3", true));
        }

        @Test
        void success_lateAfterErrorFailure_isInconclusive() {
            WorkUnit u = issued(unit(3, 2, 0, 9), "w1", "w2", "w3");
            u = accept(u, error(0, "w1"));
            assertThat(u.state()).isEqualTo(UnitState.FAILED);

            Decision d = T.apply(u, success(1, "w2", "A"));

            assertThat(d.unit().state()).isEqualTo(UnitState.FAILED);
            assertThat(d.unit().failure()).isEqualTo(u.failure());
            assertThat(d.unit().task(1).outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(d.unit().task(1).validate()).isEqualTo(ValidateState.INCONCLUSIVE);
            assertThat(d.effects()).isEmpty();
            assertThat(d.changed(u)).isTrue();
        }
    }

    @Nested
    class Reports {
        @Test
        void success_duplicate_isIdempotent() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");
            u = accept(u, success(0, "w1", "A"));

            assertNoOp(T.apply(u, success(0, "w1", "A")), u);
        }

        @Test
        void success_duplicateOfCanonicalAfterDone_isIdempotent() {
            WorkUnit u = doneUnit();

            assertNoOp(T.apply(u, success(0, "w1", "A")), u);
            assertNoOp(T.apply(u, success(1, "w2", "A")), u);
        }

        @Test
        void success_differentOutputForSameTask_isConflict() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");
            u = accept(u, success(0, "w1", "A"));

            assertRejected(T.apply(u, success(0, "w1", "B")), u, Reason.CONFLICT,
                    "task job/0/0 was already reported with a different output");
        }

        @Test
        void success_differentOutputAfterItsOutputWasDropped_isStillConflict() {
            WorkUnit u = issued(unit(3, 2, 3, 6), "w1", "w2", "w3");
            u = accept(u, success(0, "w1", "A"));
            u = accept(u, success(1, "w2", "A"));
            u = accept(u, success(2, "w3", "B")); // late, judged INVALID against A; its output is dropped
            assertThat(u.task(2).output()).isNull();

            assertNoOp(T.apply(u, success(2, "w3", "B")), u);
            assertRejected(T.apply(u, success(2, "w3", "C")), u, Reason.CONFLICT,
                    "task job/0/2 was already reported with a different output");
        }

        @Test
        void success_fromAnotherWorker_isNotYours() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");

            assertRejected(T.apply(u, success(0, "w2", "A")), u, Reason.NOT_YOURS, "task job/0/0 was not sent to worker w2");
            assertRejected(T.apply(u, error(1, "w1")), u, Reason.NOT_YOURS, "task job/0/1 was not sent to worker w1");
        }

        @Test
        void success_forUnsentReplica_isNotYours() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1");

            assertRejected(T.apply(u, success(1, "w1", "A")), u, Reason.NOT_YOURS, "task job/0/1 was not sent to worker w1");
        }

        @Test
        void success_forReplicaNotNeededBeforeItWasSent_isNotYours() {
            WorkUnit u = accept(unit(2, 2, 3, 6), new Event.Cancel(null, 1));

            assertRejected(T.apply(u, success(0, "w1", "A")), u, Reason.NOT_YOURS, "task job/0/0 was not sent to worker w1");
        }

        @Test
        void success_unknownReplica_isUnknownTask() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");

            assertRejected(T.apply(u, success(2, "w1", "A")), u, Reason.UNKNOWN_TASK, "unit job/0 has no replica 2");
            assertRejected(T.apply(u, success(-1, "w1", "A")), u, Reason.UNKNOWN_TASK, "unit job/0 has no replica -1");
            assertRejected(T.apply(u, error(7, "w1")), u, Reason.UNKNOWN_TASK, "unit job/0 has no replica 7");
        }
    }

    @Nested
    class Cancel {
        @Test
        void cancel_failsUnitAndEndsEveryTask() {
            WorkUnit u = issued(unit(3, 2, 3, 9), "w1", "w2");
            u = accept(u, success(0, "w1", "A"));

            Decision d = T.apply(u, new Event.Cancel("job cancelled", 700));

            WorkUnit c = d.unit();
            assertThat(c.state()).isEqualTo(UnitState.FAILED);
            assertThat(c.failure()).isEqualTo("job cancelled");
            assertThat(c.canonical()).isEqualTo(-1);
            assertThat(c.task(0).outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(c.task(0).validate()).isEqualTo(ValidateState.INCONCLUSIVE);
            assertThat(c.task(0).output()).isNull();
            assertThat(c.task(1).outcome()).isEqualTo(Outcome.DIDNT_NEED);
            assertThat(c.task(1).workerId()).isEqualTo("w2");
            assertThat(c.task(1).reportedAt()).isEqualTo(700);
            assertThat(c.task(2).outcome()).isEqualTo(Outcome.DIDNT_NEED);
            assertThat(c.task(2).worker()).isNull();
            assertThat(c.tasks()).extracting(Task::state).containsOnly(TaskState.OVER);
            assertThat(d.effects()).containsExactly(new Effect.Failed("job cancelled"));
            assertThat(c.version()).isEqualTo(u.version() + 1);
        }

        @Test
        void cancel_withoutReason_saysCancelled() {
            WorkUnit c = accept(unit(2, 2, 3, 6), new Event.Cancel(null, 1));

            assertThat(c.failure()).isEqualTo("cancelled");
        }

        @Test
        void cancel_laterReports_areAcceptedAsNoOps() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");
            WorkUnit c = accept(u, new Event.Cancel("stop", 700));

            assertNoOp(T.apply(c, success(0, "w1", "A")), c);
            assertNoOp(T.apply(c, error(1, "w2")), c);
            assertNoOp(T.apply(c, new Event.DeadlinePassed(Long.MAX_VALUE)), c);
        }

        @Test
        void cancel_terminalUnit_isNoOp() {
            WorkUnit done = doneUnit();
            WorkUnit cancelled = accept(unit(2, 2, 3, 6), new Event.Cancel("first", 1));

            assertNoOp(T.apply(done, new Event.Cancel("too late", 2)), done);
            assertNoOp(T.apply(cancelled, new Event.Cancel("second", 2)), cancelled);
            assertThat(cancelled.failure()).isEqualTo("first");
        }
    }

    @Nested
    class Comparators {
        /** Outputs are decimal numbers in text; they agree within 1e-9. */
        private final BiPredicate<byte[], byte[]> withinTolerance = (a, b) ->
                Math.abs(Double.parseDouble(new String(a, StandardCharsets.UTF_8))
                        - Double.parseDouble(new String(b, StandardCharsets.UTF_8))) <= 1e-9;
        private final Transitioner tolerant = new Transitioner(withinTolerance);

        @Test
        void success_outputsWithinTolerance_agree() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");
            u = accept(tolerant, u, success(0, "w1", "1.0"));

            Decision d = tolerant.apply(u, success(1, "w2", "1.0000000000001"));

            assertThat(d.unit().state()).isEqualTo(UnitState.DONE);
            assertThat(d.unit().canonicalOutput()).hasValueSatisfying(o -> assertThat(o).isEqualTo(bytes("1.0")));
            assertThat(d.unit().tasks()).extracting(Task::validate).containsOnly(ValidateState.VALID);
        }

        @Test
        void success_outputsBeyondTolerance_disagree() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");
            u = accept(tolerant, u, success(0, "w1", "1.0"));

            Decision d = tolerant.apply(u, success(1, "w2", "1.001"));

            assertThat(d.unit().state()).isEqualTo(UnitState.NEEDS_REPLICAS);
            assertThat(d.effects()).containsExactly(new Effect.ReplicasCreated(1));
        }

        @Test
        void success_lateAfterDone_isJudgedWithTolerance() {
            WorkUnit u = issued(unit(3, 2, 3, 9), "w1", "w2", "w3");
            u = accept(tolerant, u, success(0, "w1", "2.0"));
            u = accept(tolerant, u, success(1, "w2", "2.0"));

            Decision d = tolerant.apply(u, success(2, "w3", "1.9999999999999"));

            assertThat(d.unit().task(2).validate()).isEqualTo(ValidateState.VALID);
        }

        @Test
        void success_resultAgreeingWithBothNeighbours_isCanonicalOfTheQuorum() {
            // 1.0 and 1.0000000016 disagree, but both agree with 1.0000000008: three results agree with it
            WorkUnit u = issued(unit(3, 3, 3, 9), "w1", "w2", "w3");
            u = accept(tolerant, u, success(0, "w1", "1.0"));
            u = accept(tolerant, u, success(1, "w2", "1.0000000016"));

            Decision d = tolerant.apply(u, success(2, "w3", "1.0000000008"));

            assertThat(d.unit().state()).isEqualTo(UnitState.DONE);
            assertThat(d.unit().canonical()).isEqualTo(2);
            assertThat(d.unit().tasks().subList(0, 3)).extracting(Task::validate).containsOnly(ValidateState.VALID);
            assertThat(d.effects()).contains(new Effect.Done(2));
            // the spare replica created after two disagreeing results is no longer needed
            assertThat(d.unit().task(3).outcome()).isEqualTo(Outcome.DIDNT_NEED);
        }

        @Test
        void exactComparator_outputsDifferingInOneByte_disagree() {
            WorkUnit u = issued(unit(2, 2, 3, 6), "w1", "w2");
            u = accept(u, success(0, "w1", "1.0"));

            assertThat(accept(u, success(1, "w2", "1.00")).state()).isEqualTo(UnitState.NEEDS_REPLICAS);
        }

        @Test
        void constructor_nullComparator_isRejected() {
            assertThatThrownBy(() -> new Transitioner(null)).isInstanceOf(NullPointerException.class);
        }
    }
}
