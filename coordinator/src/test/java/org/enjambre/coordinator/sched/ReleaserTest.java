package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.Outcome;
import org.enjambre.workunits.model.TaskState;
import org.enjambre.workunits.model.UnitState;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Releasing a worker's replicas: at once, all but the kept ones, no error counted, a new replica each. */
class ReleaserTest {
    private final InMemoryPeer peer = new InMemoryPeer();

    @Test
    void release_allButKept_reissuedAtOnceWithoutErrorOrDeadline() {
        JobRecord job = peer.job(3, 0, InMemoryPeer.quorum(1), 600);
        WorkerRecord gone = peer.worker("gone");
        List<Scheduler.Assignment> held = peer.scheduler().fetch(gone, 3);
        int released = peer.scheduler().releaser().release("gone", Set.of(held.get(1).id()), "not held any more");
        assertThat(released).isEqualTo(2);
        assertThat(peer.unit(job, 0).tasks().get(0).outcome()).isEqualTo(Outcome.RELEASED);
        assertThat(peer.unit(job, 0).tasks().get(0).error()).isEqualTo("not held any more");
        assertThat(peer.unit(job, 1).tasks().get(0).state()).isEqualTo(TaskState.IN_PROGRESS);
        assertThat(peer.now(gone).errors()).isZero();
        assertThat(peer.store.units()).hasSize(2); // durable before it returned
        assertThat(peer.scheduler().fetch(peer.worker("other"), 5)).extracting(Scheduler.Assignment::id)
                .containsExactly(job.id() + "/0/1", job.id() + "/2/1");
        assertThat(peer.scheduler().releaser().release("gone", Set.of(), "again")).isEqualTo(1); // only unit 1 left
    }

    @Test
    void release_replicasEqualMaxResults_unitStillCompletes() {
        // quorum 2 of 2 with at most 2 results: a released replica must not use up maxResults.
        JobRecord job = peer.job(1, 0, "{\"replicas\":2,\"quorum\":2,\"maxErrors\":1,\"maxResults\":2}", 600);
        WorkerRecord a = peer.worker("a");
        WorkerRecord b = peer.worker("b");
        List<Scheduler.Assignment> ta = peer.scheduler().fetch(a, 1);
        peer.scheduler().fetch(b, 1);
        peer.scheduler().releaser().release("b", Set.of(), "revoked");
        WorkerRecord c = peer.worker("c");
        List<Scheduler.Assignment> tc = peer.scheduler().fetch(c, 1);
        assertThat(tc).extracting(Scheduler.Assignment::id).containsExactly(job.id() + "/0/2");
        peer.answer(a, ta);
        peer.answer(c, tc);
        assertThat(peer.unit(job, 0).state()).isEqualTo(UnitState.DONE);
    }

    @Test
    void report_afterRelease_stillUsedAsALateResult() {
        JobRecord job = peer.job(1, 0, InMemoryPeer.quorum(1), 600);
        WorkerRecord a = peer.worker("a");
        List<Scheduler.Assignment> ta = peer.scheduler().fetch(a, 1);
        peer.scheduler().releaser().release("a", Set.of(), "sync");
        assertThat(peer.answer(a, ta).accepted()).hasSize(1);
        assertThat(peer.unit(job, 0).state()).isEqualTo(UnitState.DONE);
    }

    @Test
    void sweep_aFetchThatRacedTheRelease_issuedUnitsAfterIt_releasedAgainUntilTheLingerEnds() {
        JobRecord job = peer.job(6, 0, InMemoryPeer.quorum(1), 600);
        WorkerRecord saboteur = peer.worker("saboteur");
        java.util.function.Predicate<String> barred = id -> id.equals("saboteur");
        peer.scheduler().fetch(saboteur, 1);
        assertThat(peer.scheduler().releaser().release("saboteur", Set.of(), "worker saboteur was blacklisted")).isEqualTo(1);
        // A fetch that read the worker's record before it was blacklisted issues it two units after the release.
        peer.scheduler().fetch(saboteur, 2);
        assertThat(peer.unit(job, 1).tasks().get(0).state()).isEqualTo(TaskState.IN_PROGRESS);

        assertThat(peer.scheduler().releaser().sweep(barred)).isEqualTo(2);
        assertThat(peer.unit(job, 1).tasks().get(0).outcome()).isEqualTo(Outcome.RELEASED);
        assertThat(peer.unit(job, 1).tasks().get(0).error()).isEqualTo("worker saboteur was blacklisted");
        assertThat(peer.unit(job, 1).state()).isEqualTo(UnitState.NEEDS_REPLICAS);

        peer.clock.advance(java.time.Duration.ofMillis(Releaser.LINGER_MILLIS));
        peer.scheduler().fetch(saboteur, 1); // after the linger, nothing races any more: what it holds stays
        assertThat(peer.scheduler().releaser().sweep(barred)).isZero();
    }

    @Test
    void sweep_aWorkerWhoseSyncSaidItHeldNothing_keepsWhatItTakesAfterwards() {
        peer.job(4, 0, InMemoryPeer.quorum(1), 600);
        WorkerRecord honest = peer.worker("honest");
        peer.scheduler().fetch(honest, 1);
        // Its sync said it holds nothing (it restarted): released whole, but it is not barred from work.
        assertThat(peer.scheduler().releaser().release("honest", Set.of(), "its worker does not hold it")).isEqualTo(1);
        List<Scheduler.Assignment> taken = peer.scheduler().fetch(honest, 2);
        assertThat(peer.scheduler().releaser().sweep(id -> false)).isZero();
        assertThat(peer.scheduler().releaser().sweep(id -> true)).as("forgotten for good").isZero();
        assertThat(taken).hasSize(2);
    }
}
