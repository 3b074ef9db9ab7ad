package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.trust.TrustRules;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The credibility judge with a manual clock: results waiting for credibility are judged again or get replicas. */
class CredibilityJudgeTest {
    private static final String CREDIBLE = "{\"replicas\":1,\"quorum\":1,\"maxErrors\":3,\"maxResults\":6,"
            + "\"credibility\":0.99,\"spotCheckRate\":0.1}";
    private final InMemoryPeer peer = new InMemoryPeer();

    @Test
    void revalidate_workerNowCredible_waitingUnitDone() {
        peer.checks = new FakeChecks(false);
        JobRecord job = peer.job(1, 0, CREDIBLE, 60);
        WorkerRecord a = peer.worker("a");
        peer.answer(a, peer.scheduler().fetch(a, 1));
        assertThat(peer.unit(job, 0).state()).isNotEqualTo(UnitState.DONE); // a fresh worker is not credible alone
        assertThat(peer.scheduler().credibility().revalidate("a", 0.999)).isEqualTo(1);
        assertThat(peer.unit(job, 0).state()).isEqualTo(UnitState.DONE);
    }

    /** A worker that has passed {@code checks} spot-checks. */
    private WorkerRecord checked(String id, long checks) {
        WorkerRecord w = new WorkerRecord(id, "hash", id, "test", 1, 1024, List.of("noop"), "acct-" + id, null,
                peer.clock.millis(), peer.clock.millis(), 0, 0, 0, 0, 0, checks, false, checks, 0, 1);
        peer.workers.put(w);
        return w;
    }

    /** A credibility job whose units start with two replicas (the planner gives a fresh worker one: its warm-up will make it credible alone). */
    private static final String TWO = CREDIBLE.replace("\"replicas\":1", "\"replicas\":2");

    /**
     * A unit whose results wait for credibility with nothing in progress: two replicas, computed by two fresh
     * workers (0.988 < θ = 0.99).
     */
    private JobRecord waitingUnit(long deadlineSeconds) {
        assertThat(peer.scheduler().fetch(checked("veteran", 400), 1)).isEmpty(); // seen: a candidate
        JobRecord job = peer.job(1, 0, TWO, deadlineSeconds);
        WorkerRecord a = peer.worker("a");
        WorkerRecord b = peer.worker("b");
        peer.answer(a, peer.scheduler().fetch(a, 1));
        assertThat(peer.unit(job, 0).tasks()).as("replicas planned up front").hasSize(2);
        peer.answer(b, peer.scheduler().fetch(b, 1));
        assertThat(peer.unit(job, 0).state()).isEqualTo(UnitState.IN_PROGRESS);
        return job;
    }

    @Test
    void unstick_checkableJob_addsReplicaAfterTheCredibilityWait_notTheDeadline() {
        peer.checks = new FakeChecks(false);
        JobRecord job = waitingUnit(600);
        assertThat(peer.scheduler().credibility().unstick()).isZero();
        peer.clock.advance(TrustRules.DEFAULT_CREDIBILITY_WAIT.minusMillis(1));
        assertThat(peer.scheduler().credibility().unstick()).isZero();
        peer.clock.advance(Duration.ofMillis(1));
        assertThat(peer.scheduler().credibility().unstick()).isEqualTo(1);
        assertThat(peer.unit(job, 0).state()).isEqualTo(UnitState.NEEDS_REPLICAS);
        assertThat(peer.unit(job, 0).tasks()).hasSize(3);
    }

    @Test
    void unstick_deadlineShorterThanTheWait_boundsIt() {
        peer.checks = new FakeChecks(false);
        JobRecord job = waitingUnit(10);
        peer.clock.advance(Duration.ofSeconds(10));
        assertThat(peer.scheduler().credibility().unstick()).isEqualTo(1);
        assertThat(peer.unit(job, 0).tasks()).hasSize(3);
    }

    @Test
    void unstick_unitWithMaxResults_waitsForSpotChecksUntilTheDeadline() {
        peer.checks = new FakeChecks(false);
        assertThat(peer.scheduler().fetch(checked("veteran", 400), 1)).isEmpty();
        JobRecord job = peer.job(1, 0, TWO.replace("\"maxResults\":6", "\"maxResults\":2"), 600);
        WorkerRecord a = peer.worker("a");
        WorkerRecord b = peer.worker("b");
        peer.answer(a, peer.scheduler().fetch(a, 1));
        peer.answer(b, peer.scheduler().fetch(b, 1));
        peer.clock.advance(Duration.ofSeconds(599));
        assertThat(peer.scheduler().credibility().unstick()).isZero();
        assertThat(peer.unit(job, 0).state()).isEqualTo(UnitState.IN_PROGRESS);
        peer.clock.advance(Duration.ofSeconds(1));
        assertThat(peer.scheduler().credibility().unstick()).isEqualTo(1);
        assertThat(peer.unit(job, 0).state()).isEqualTo(UnitState.FAILED);
    }

    @Test
    void unstick_nothingCanCheck_addsReplicaAtOnce() {
        JobRecord job = waitingUnit(600);
        assertThat(peer.scheduler().credibility().unstick()).isEqualTo(1);
        assertThat(peer.unit(job, 0).tasks()).hasSize(3);
    }
}
