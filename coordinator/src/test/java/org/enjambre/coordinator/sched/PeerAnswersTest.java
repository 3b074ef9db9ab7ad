package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.cluster.PeerQuestion;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.WorkerRef;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** How a peer answers the others from what it owns: work stealing's ready units, counts, releases (no Hazelcast). */
class PeerAnswersTest {
    private final InMemoryPeer peer = new InMemoryPeer();
    private final PeerAnswers answers = new PeerAnswers(peer.index, id -> peer.jobs.find(id).orElse(null),
            () -> new PeerQuestion.PeerStatus("p", 0, 0, 0, null, 0), peer::scheduler, () -> false);

    @Test
    void findReady_runningJobsOfTheWorkersApps_atMostMax() {
        JobRecord job = peer.job(5, 0, InMemoryPeer.quorum(1), 60);

        String[] keys = new PeerQuestion.FindReady(ref("w1"), Set.of("noop"), 3).answer(answers);

        assertThat(keys).containsExactly(job.id() + "/0", job.id() + "/1", job.id() + "/2");
    }

    @Test
    void findReady_otherAppOrFinishedJob_nothing() {
        JobRecord job = peer.job(2, 0, InMemoryPeer.quorum(1), 60);
        assertThat(new PeerQuestion.FindReady(ref("w1"), Set.of("primes"), 5).answer(answers)).isEmpty();

        peer.jobs.put(job.withState(JobState.CANCELLED, peer.clock.millis(), "cancelled by a user"));

        assertThat(new PeerQuestion.FindReady(ref("w1"), Set.of("noop"), 5).answer(answers)).isEmpty();
    }

    @Test
    void findReady_unitTheWorkerAlreadyHolds_notOffered() {
        JobRecord job = peer.job(1, 0, "{\"replicas\":2,\"quorum\":2,\"maxErrors\":3,\"maxResults\":6}", 60);
        WorkerRecord w = peer.worker("w1");
        assertThat(peer.scheduler().fetch(w, 1)).hasSize(1);

        assertThat(new PeerQuestion.FindReady(ref("w1"), Set.of("noop"), 5).answer(answers)).isEmpty();
        assertThat(new PeerQuestion.FindReady(ref("w2"), Set.of("noop"), 5).answer(answers)).containsExactly(job.id() + "/0");
    }

    @Test
    void countUnits_ownedUnitsByState() {
        JobRecord job = peer.job(3, 0, InMemoryPeer.quorum(1), 60);

        long[] counts = new PeerQuestion.CountUnits(job.id()).answer(answers);

        assertThat(counts[UnitState.NEEDS_REPLICAS.ordinal()]).isEqualTo(3);
        assertThat(new PeerQuestion.CountJobs(Set.of(job.id(), "j-none")).answer(answers).byJob()).containsOnlyKeys(job.id());
    }

    @Test
    void releaseReplicas_theWorkersReplicasInProgress_released() {
        peer.job(2, 0, InMemoryPeer.quorum(1), 60);
        WorkerRecord w = peer.worker("w1");
        assertThat(peer.scheduler().fetch(w, 2)).hasSize(2);

        int released = new PeerQuestion.ReleaseReplicas("w1", Set.of(), "its worker does not hold it").answer(answers);

        assertThat(released).isEqualTo(2);
        assertThat(peer.index.readyJobs()).hasSize(1);
    }

    private static WorkerRef ref(String id) {
        return new WorkerRef(id, "acct-" + id, null);
    }
}
