package org.enjambre.workunits.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TaskTest {
    private static final WorkerRef W = new WorkerRef("w1", "alice", "box");
    private static final byte[] OUT = "42".getBytes(StandardCharsets.UTF_8);

    @Test
    void unsent_hasNoWorkerNoOutcomeNoTimes() {
        Task t = Task.unsent(3);

        assertThat(t.replica()).isEqualTo(3);
        assertThat(t.worker()).isNull();
        assertThat(t.workerId()).isNull();
        assertThat(t.state()).isEqualTo(TaskState.UNSENT);
        assertThat(t.outcome()).isEqualTo(Outcome.NONE);
        assertThat(t.validate()).isEqualTo(ValidateState.PENDING);
        assertThat(t.sentAt()).isZero();
        assertThat(t.deadline()).isZero();
        assertThat(t.reportedAt()).isZero();
        assertThat(t.output()).isNull();
        assertThat(t.error()).isNull();
        assertThat(t.success()).isFalse();
        assertThat(t.failed()).isFalse();
    }

    @Test
    void sent_setsWorkerAndTimes() {
        Task t = Task.unsent(1).sent(W, 100, 700);

        assertThat(t).isEqualTo(new Task(1, W, TaskState.IN_PROGRESS, Outcome.NONE, ValidateState.PENDING, 100, 700, 0, null, 0, null));
        assertThat(t.workerId()).isEqualTo("w1");
    }

    @Test
    void over_keepsWorkerAndTimes() {
        Task t = Task.unsent(1).sent(W, 100, 700).over(Outcome.SUCCESS, 300, OUT, null);

        assertThat(t).isEqualTo(new Task(1, W, TaskState.OVER, Outcome.SUCCESS, ValidateState.PENDING, 100, 700, 300, OUT, Task.digestOf(OUT), null));
        assertThat(t.success()).isTrue();
    }

    @Test
    void judged_keepsOrDropsTheOutput() {
        Task reported = Task.unsent(0).sent(W, 100, 700).over(Outcome.SUCCESS, 300, OUT, null);

        Task kept = reported.judged(ValidateState.VALID, true);
        Task dropped = reported.judged(ValidateState.INVALID, false);

        assertThat(kept.validate()).isEqualTo(ValidateState.VALID);
        assertThat(kept.output()).isSameAs(OUT);
        assertThat(dropped.validate()).isEqualTo(ValidateState.INVALID);
        assertThat(dropped.output()).isNull();
        assertThat(dropped.reportedAt()).isEqualTo(300);
        assertThat(dropped.outcome()).isEqualTo(Outcome.SUCCESS);
    }

    @ParameterizedTest(name = "{0}: success {1}, failed {2}")
    @CsvSource({"SUCCESS, true, false", "CLIENT_ERROR, false, true", "NO_REPLY, false, true", "DIDNT_NEED, false, false"})
    void outcome_classifiesSuccessAndFailure(Outcome outcome, boolean success, boolean failed) {
        Task t = Task.unsent(0).sent(W, 1, 2).over(outcome, 3, null, null);

        assertThat(t.success()).isEqualTo(success);
        assertThat(t.failed()).isEqualTo(failed);
    }

    @Test
    void constructor_unsentWithWorker_isRejected() {
        assertThatThrownBy(() -> new Task(0, W, TaskState.UNSENT, Outcome.NONE, ValidateState.PENDING, 0, 0, 0, null, 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("an unsent task has no worker");
    }

    @Test
    void constructor_inProgressWithoutWorker_isRejected() {
        assertThatThrownBy(() -> new Task(0, null, TaskState.IN_PROGRESS, Outcome.NONE, ValidateState.PENDING, 0, 0, 0, null, 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a task in progress has a worker");
    }

    @Test
    void constructor_outcomeExactlyWhenOver() {
        assertThatThrownBy(() -> new Task(0, W, TaskState.OVER, Outcome.NONE, ValidateState.PENDING, 0, 0, 0, null, 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a task has an outcome exactly when it is over");
        assertThatThrownBy(() -> new Task(0, W, TaskState.IN_PROGRESS, Outcome.SUCCESS, ValidateState.PENDING, 0, 0, 0, null, 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a task has an outcome exactly when it is over");
    }

    @Test
    void constructor_overWithoutWorker_isAllowedForReplicasNeverSent() {
        Task t = Task.unsent(2).over(Outcome.DIDNT_NEED, 0, null, null);

        assertThat(t.state()).isEqualTo(TaskState.OVER);
        assertThat(t.worker()).isNull();
    }

    @Test
    void constructor_nullEnums_areRejected() {
        assertThatThrownBy(() -> new Task(0, null, null, Outcome.NONE, ValidateState.PENDING, 0, 0, 0, null, 0, null))
                .isInstanceOf(NullPointerException.class).hasMessage("state");
        assertThatThrownBy(() -> new Task(0, null, TaskState.UNSENT, null, ValidateState.PENDING, 0, 0, 0, null, 0, null))
                .isInstanceOf(NullPointerException.class).hasMessage("outcome");
        assertThatThrownBy(() -> new Task(0, null, TaskState.UNSENT, Outcome.NONE, null, 0, 0, 0, null, 0, null))
                .isInstanceOf(NullPointerException.class).hasMessage("validate");
    }

    @Test
    void equals_comparesOutputsByContent() {
        Task a = Task.unsent(0).sent(W, 1, 2).over(Outcome.SUCCESS, 3, "42".getBytes(StandardCharsets.UTF_8), null);
        Task b = Task.unsent(0).sent(W, 1, 2).over(Outcome.SUCCESS, 3, "42".getBytes(StandardCharsets.UTF_8), null);
        Task c = Task.unsent(0).sent(W, 1, 2).over(Outcome.SUCCESS, 3, "43".getBytes(StandardCharsets.UTF_8), null);

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c);
        assertThat(a).isNotEqualTo(a.judged(ValidateState.VALID, true));
    }

    @Test
    void toString_showsTheOutputSizeNotTheArray() {
        Task t = Task.unsent(0).sent(W, 1, 2).over(Outcome.SUCCESS, 3, OUT, null);

        assertThat(t.toString()).contains("w1", "SUCCESS", "output=2 bytes").doesNotContain("[B@");
    }
}
