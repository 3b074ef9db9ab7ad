package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.Outcome;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The deadline watcher with a manual clock: nothing before a deadline, a reissue right after it. */
class DeadlineWatcherTest {
    private final InMemoryPeer peer = new InMemoryPeer();

    @Test
    void expire_beforeDeadline_nothing_afterIt_replicaTimedOutAndReissued() {
        JobRecord job = peer.job(1, 0, InMemoryPeer.quorum(1), 60);
        WorkerRecord slow = peer.worker("slow");
        peer.scheduler().fetch(slow, 1);
        peer.clock.advance(Duration.ofSeconds(59));
        assertThat(peer.scheduler().deadlines().expire()).isZero();
        peer.clock.advance(Duration.ofSeconds(1));
        assertThat(peer.scheduler().deadlines().expire()).isEqualTo(1);
        assertThat(peer.unit(job, 0).tasks().get(0).outcome()).isEqualTo(Outcome.NO_REPLY);
        assertThat(peer.now(slow).errors()).isEqualTo(1);
        assertThat(peer.scheduler().fetch(peer.worker("fast"), 1)).extracting(Scheduler.Assignment::id)
                .containsExactly(job.id() + "/0/1");
        assertThat(peer.scheduler().deadlines().expire()).isZero();
    }
}
