package org.enjambre.workunits.model;

import org.enjambre.workunits.spec.Redundancy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkUnitTest {
    private static final Redundancy POLICY = new Redundancy(3, 2, 3, 9, false);
    private static final WorkerRef W = WorkerRef.of("w1");

    @Test
    void create_makesUnsentReplicasNeedingWorkers() {
        WorkUnit u = WorkUnit.create("job-1", 7, POLICY);

        assertThat(u.jobId()).isEqualTo("job-1");
        assertThat(u.index()).isEqualTo(7);
        assertThat(u.policy()).isEqualTo(POLICY);
        assertThat(u.state()).isEqualTo(UnitState.NEEDS_REPLICAS);
        assertThat(u.tasks()).containsExactly(Task.unsent(0), Task.unsent(1), Task.unsent(2));
        assertThat(u.canonical()).isEqualTo(-1);
        assertThat(u.failure()).isNull();
        assertThat(u.version()).isZero();
        assertThat(u.terminal()).isFalse();
        assertThat(u.canonicalOutput()).isEmpty();
        assertThat(u.count(TaskState.UNSENT)).isEqualTo(3);
        assertThat(u.count(TaskState.IN_PROGRESS)).isZero();
    }

    @Test
    void id_isJobIdSlashIndex() {
        assertThat(WorkUnit.create("job-1", 7, POLICY).id()).isEqualTo("job-1/7");
        assertThat(WorkUnit.id("j", 0)).isEqualTo("j/0");
    }

    @Test
    void tasks_areCopiedAndUnmodifiable() {
        List<Task> tasks = new ArrayList<>(List.of(Task.unsent(0)));
        WorkUnit u = new WorkUnit("j", 0, POLICY, UnitState.NEEDS_REPLICAS, tasks, -1, null, 0);

        tasks.add(Task.unsent(1));

        assertThat(u.tasks()).hasSize(1);
        assertThatThrownBy(() -> u.tasks().add(Task.unsent(1))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void constructor_replicaNumbersMustMatchPositions() {
        assertThatThrownBy(() -> new WorkUnit("j", 0, POLICY, UnitState.NEEDS_REPLICAS,
                List.of(Task.unsent(0), Task.unsent(2)), -1, null, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("task 1 has replica number 2");
    }

    @Test
    void constructor_canonicalExactlyWhenDone() {
        List<Task> tasks = List.of(succeeded(0));
        assertThatThrownBy(() -> new WorkUnit("j", 0, POLICY, UnitState.DONE, tasks, -1, null, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a unit has a canonical result exactly when it is done");
        assertThatThrownBy(() -> new WorkUnit("j", 0, POLICY, UnitState.IN_PROGRESS, tasks, 0, null, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a unit has a canonical result exactly when it is done");
    }

    @Test
    void constructor_canonicalMustBeAReplica() {
        assertThatThrownBy(() -> new WorkUnit("j", 0, POLICY, UnitState.DONE, List.of(succeeded(0)), 1, null, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("canonical replica 1 is not one of the unit's 1 replicas");
        assertThatThrownBy(() -> new WorkUnit("j", 0, POLICY, UnitState.FAILED, List.of(succeeded(0)), -2, "x", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("canonical replica -2 is not one of the unit's 1 replicas");
    }

    @Test
    void constructor_nulls_areRejected() {
        assertThatThrownBy(() -> new WorkUnit(null, 0, POLICY, UnitState.NEEDS_REPLICAS, List.of(), -1, null, 0))
                .isInstanceOf(NullPointerException.class).hasMessage("jobId");
        assertThatThrownBy(() -> new WorkUnit("j", 0, null, UnitState.NEEDS_REPLICAS, List.of(), -1, null, 0))
                .isInstanceOf(NullPointerException.class).hasMessage("policy");
        assertThatThrownBy(() -> new WorkUnit("j", 0, POLICY, null, List.of(), -1, null, 0))
                .isInstanceOf(NullPointerException.class).hasMessage("state");
    }

    @Test
    void canonicalOutput_isTheCanonicalReplicasOutput() {
        WorkUnit u = new WorkUnit("j", 0, POLICY, UnitState.DONE, List.of(Task.unsent(0).over(Outcome.DIDNT_NEED, 0, null, null),
                succeeded(1)), 1, null, 4);

        assertThat(u.canonicalOutput()).hasValueSatisfying(o -> assertThat(new String(o, StandardCharsets.UTF_8)).isEqualTo("out1"));
        assertThat(u.terminal()).isTrue();
    }

    @Test
    void equals_comparesTasksByContent() {
        WorkUnit a = new WorkUnit("j", 0, POLICY, UnitState.DONE, List.of(succeeded(0)), 0, null, 3);
        WorkUnit b = new WorkUnit("j", 0, POLICY, UnitState.DONE, List.of(succeeded(0)), 0, null, 3);

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    }

    @ParameterizedTest
    @CsvSource({"NEEDS_REPLICAS, false", "IN_PROGRESS, false", "DONE, true", "FAILED, true"})
    void unitState_terminal(UnitState state, boolean terminal) {
        assertThat(state.terminal()).isEqualTo(terminal);
    }

    @ParameterizedTest
    @CsvSource({"QUEUED, false", "RUNNING, false", "COMPLETED, true", "FAILED, true", "CANCELLED, true"})
    void jobState_terminal(JobState state, boolean terminal) {
        assertThat(state.terminal()).isEqualTo(terminal);
    }

    @Test
    void workerRef_needsAnId() {
        assertThat(WorkerRef.of("w")).isEqualTo(new WorkerRef("w", null, null));
        assertThatThrownBy(() -> new WorkerRef(null, "a", "h")).isInstanceOf(NullPointerException.class).hasMessage("workerId");
    }

    private static Task succeeded(int replica) {
        return Task.unsent(replica).sent(W, 1, 2).over(Outcome.SUCCESS, 3, ("out" + replica).getBytes(StandardCharsets.UTF_8), null)
                .judged(ValidateState.VALID, true);
    }
}
