package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.UnitState;
import org.junit.jupiter.api.Test;

import java.time.Duration;

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

    @Test
    void unstick_checkableJob_addsReplicaOnlyAfterDeadline() {
        peer.checks = new FakeChecks(false);
        JobRecord job = peer.job(1, 0, CREDIBLE, 60);
        WorkerRecord a = peer.worker("a");
        peer.answer(a, peer.scheduler().fetch(a, 1));
        assertThat(peer.scheduler().credibility().unstick()).isZero();
        peer.clock.advance(Duration.ofSeconds(60));
        assertThat(peer.scheduler().credibility().unstick()).isEqualTo(1);
        assertThat(peer.unit(job, 0).state()).isEqualTo(UnitState.NEEDS_REPLICAS);
    }

    @Test
    void unstick_nothingCanCheck_addsReplicaAtOnce() {
        JobRecord job = peer.job(1, 0, CREDIBLE, 600);
        WorkerRecord a = peer.worker("a");
        peer.answer(a, peer.scheduler().fetch(a, 1));
        assertThat(peer.scheduler().credibility().unstick()).isEqualTo(1);
        assertThat(peer.unit(job, 0).tasks()).hasSize(2);
    }
}
