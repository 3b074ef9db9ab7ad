package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.cluster.UnitChange;
import org.enjambre.coordinator.cluster.UnitTable;
import org.enjambre.coordinator.jobs.UnitCounts;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.spec.Redundancy;
import org.enjambre.workunits.transition.Event;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A job's never-touched units: implicit in the index (one bit each), made by their first issue (no Hazelcast). */
class FreshUnitsTest {
    private final InMemoryPeer peer = new InMemoryPeer();

    @Test
    void implicitJob_countsEveryOwnedUnitReady_withoutAnyEntry() {
        peer.notOwned.add("j-x/0"); // another job's key: no effect
        JobRecord job = peer.implicitJob(10, InMemoryPeer.quorum(1));
        peer.notOwned.add(job.id() + "/3");
        JobRecord other = peer.implicitJob(4, InMemoryPeer.quorum(1));

        assertThat(peer.units.snapshot()).isEmpty();
        assertThat(peer.index.counts(job.id())[UnitState.NEEDS_REPLICAS.ordinal()]).isEqualTo(10);
        assertThat(peer.index.counts(other.id())[UnitState.NEEDS_REPLICAS.ordinal()]).isEqualTo(4);
        assertThat(peer.index.readyCount()).isEqualTo(14);
        assertThat(peer.index.readyJobs()).containsExactlyInAnyOrder(job.id(), other.id());
    }

    @Test
    void freshJob_signalsOncePerReadyUnit_soEveryWaitingFetchWakes() {
        // Each ready signal wakes one waiting fetch (LongPolls): one signal for a whole job woke one worker, and the
        // others sat in their long-polls while a quorum job's second replicas waited for them.
        List<String> signals = new java.util.ArrayList<>();
        LocalIndex index = new LocalIndex(signals::add, u -> { });
        index.freshJob(new LocalIndex.Job("j-wake", 7, new Redundancy(2, 2, 3, 6, false)), key -> !key.endsWith("/3"));

        assertThat(signals).hasSize(6).containsOnly("j-wake");
    }

    @Test
    void aFreshUnitsFirstIssue_signalsWhenOthersMayStillTakeIt() {
        // A worker asleep in its long-poll is woken by a ready signal only: when the one fetch awake took a quorum
        // unit's first replica, the unit stays ready for everyone else, and nothing woke them before.
        List<String> signals = peer.readySignals;
        JobRecord quorum = peer.implicitJob(3, InMemoryPeer.quorum(2));
        signals.clear();
        assertThat(peer.scheduler().fetch(peer.worker("w1"), 3)).hasSize(3);
        assertThat(signals).as("each unit issued first of a quorum job stays ready: one signal each")
                .hasSize(3).containsOnly(quorum.id());
        assertThat(peer.scheduler().fetch(peer.worker("w2"), 3)).hasSize(3);
        assertThat(signals).as("second replicas leave nothing ready").hasSize(3);

        peer.implicitJob(3, InMemoryPeer.quorum(1));
        signals.clear();
        assertThat(peer.scheduler().fetch(peer.worker("w1"), 3)).hasSize(3);
        assertThat(signals).as("single-replica units leave nothing ready").isEmpty();
    }

    @Test
    void unownedUnits_areNotIndexedHere() {
        String id = "j-owned";
        for (int i = 0; i < 10; i += 2) {
            peer.notOwned.add(id + "/" + i);
        }
        peer.index.freshJob(new LocalIndex.Job(id, 10, new Redundancy(1, 1, 3, 6, false)), key -> !peer.notOwned.contains(key));

        assertThat(peer.index.ready(id, ref("w1"), 10, 256)).extracting(LocalIndex.Ready::index).containsExactly(1, 3, 5, 7, 9);
        assertThat(peer.index.counts(id)[UnitState.NEEDS_REPLICAS.ordinal()]).isEqualTo(5);
    }

    @Test
    void fetch_firstIssueMakesTheUnitFromTheJobsPolicy_lowestIndexFirst() {
        JobRecord job = peer.implicitJob(8, InMemoryPeer.quorum(1));
        WorkerRecord w = peer.worker("w1");

        List<Scheduler.Assignment> got = peer.scheduler().fetch(w, 3);

        assertThat(got).extracting(Scheduler.Assignment::id)
                .containsExactly(job.id() + "/0/0", job.id() + "/1/0", job.id() + "/2/0");
        assertThat(peer.units.snapshot()).containsOnlyKeys(job.id() + "/0", job.id() + "/1", job.id() + "/2");
        WorkUnit made = peer.units.get(job.id() + "/1");
        assertThat(made.policy()).isEqualTo(org.enjambre.coordinator.jobs.JobSpecs.of(job).redundancy());
        assertThat(made.tasks().get(0).workerId()).isEqualTo("w1");
        long[] counts = peer.index.counts(job.id());
        assertThat(counts[UnitState.NEEDS_REPLICAS.ordinal()]).isEqualTo(5);
        assertThat(counts[UnitState.IN_PROGRESS.ordinal()]).isEqualTo(3);
        assertThat(peer.index.readyCount()).isEqualTo(5);
    }

    @Test
    void ready_mergesFreshUnitsAndUnitsWithEntries_inIndexOrder_skippingWhatTheWorkerHolds() {
        JobRecord job = peer.implicitJob(6, InMemoryPeer.quorum(2));
        assertThat(peer.scheduler().fetch(peer.worker("w1"), 2)).hasSize(2); // units 0 and 1 now need one more replica

        assertThat(peer.index.ready(job.id(), ref("w2"), 10, 256)).extracting(LocalIndex.Ready::index)
                .containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(peer.index.ready(job.id(), ref("w1"), 10, 256)).extracting(LocalIndex.Ready::index)
                .containsExactly(2, 3, 4, 5);
        assertThat(peer.index.ready(job.id(), ref("w2"), 3, 1)).as("one unit with entries looked at, then fresh ones")
                .extracting(LocalIndex.Ready::index).containsExactly(0, 2, 3);
        assertThat(peer.index.ready(job.id(), ref("w1"), 10, 2)).as("the two held spend the scan, fresh units still come")
                .extracting(LocalIndex.Ready::index).containsExactly(2, 3, 4, 5);
        assertThat(peer.index.counts(job.id())[UnitState.NEEDS_REPLICAS.ordinal()]).isEqualTo(6);
    }

    /**
     * A worker that holds a whole fetch of a quorum job's lowest ready units (first replicas waiting for another
     * worker) still gets the fresh units behind them: it got none, slept in its long-poll, and when every worker did
     * so at once the job stopped until the polls timed out (real workers, ninth session).
     */
    @Test
    void fetch_workerHoldingAWholeFetchOfTheLowestReadyUnits_stillGetsTheFreshUnitsBehindThem() {
        JobRecord job = peer.implicitJob(600, InMemoryPeer.quorum(2));
        WorkerRecord w1 = peer.worker("w1");
        assertThat(peer.scheduler().fetch(w1, 256)).hasSize(256); // units 0..255: first replicas, each needs another

        List<Scheduler.Assignment> next = peer.scheduler().fetch(w1, 256);

        assertThat(next).hasSize(256);
        assertThat(next.get(0).id()).isEqualTo(job.id() + "/256/0");
        assertThat(peer.scheduler().fetch(peer.worker("w2"), 256)).as("the second replicas of the first run")
                .extracting(Scheduler.Assignment::id).startsWith(job.id() + "/0/1");
    }

    /**
     * Near a job's end (no fresh units left), a worker whose own replicas fill a whole fetch at the lowest ready
     * indexes still reaches the units another worker holds behind them.
     */
    @Test
    void fetch_noFreshUnitsLeft_workerHoldingTheLowestReadyUnits_stillGetsOtherWorkersUnitsBehindThem() {
        JobRecord job = peer.implicitJob(512, InMemoryPeer.quorum(3));
        WorkerRecord w1 = peer.worker("w1");
        WorkerRecord w2 = peer.worker("w2");
        assertThat(peer.scheduler().fetch(w1, 256)).hasSize(256); // units 0..255, first replicas
        assertThat(peer.scheduler().fetch(w2, 256)).hasSize(256); // their second replicas: they still need a third
        assertThat(peer.scheduler().fetch(w2, 256)).as("w2: the last fresh units").hasSize(256);

        List<Scheduler.Assignment> got = peer.scheduler().fetch(w1, 256);

        assertThat(got).as("w1 holds 0..255 (a whole fetch), then w2's 256..511").hasSize(256);
        assertThat(got.get(0).id()).isEqualTo(job.id() + "/256/1");
    }

    @Test
    void freshJob_skipsUnitsWithEntries_andCountsOnce() {
        String id = "j-loaded";
        Redundancy r = new Redundancy(1, 1, 3, 6, false);
        peer.units.put(WorkUnit.create(id, 2, r)); // a unit loaded from the store
        LocalIndex.Job job = new LocalIndex.Job(id, 5, r);

        peer.index.freshJob(job, key -> true);
        peer.index.freshJob(job, key -> true);

        assertThat(peer.index.counts(id)[UnitState.NEEDS_REPLICAS.ordinal()]).isEqualTo(5);
        assertThat(peer.index.readyCount()).isEqualTo(5);
        assertThat(peer.index.ready(id, ref("w1"), 10, 256)).extracting(LocalIndex.Ready::index).containsExactly(0, 1, 2, 3, 4);
    }

    /** The index counts each job's entries so that a new job is not scanned for; an entry that left is counted out. */
    @Test
    void freshJob_afterSomeOfItsEntriesLeft_stillSkipsTheOnesLeft() {
        String id = "j-partly";
        Redundancy r = new Redundancy(1, 1, 3, 6, false);
        peer.units.put(WorkUnit.create("j-other", 0, r));
        peer.units.put(WorkUnit.create(id, 2, r));
        peer.units.put(WorkUnit.create(id, 3, r));
        peer.units.remove(WorkUnit.id(id, 3)); // evicted: fresh again

        peer.index.freshJob(new LocalIndex.Job(id, 5, r), key -> true);

        assertThat(peer.index.counts(id)[UnitState.NEEDS_REPLICAS.ordinal()]).isEqualTo(5);
        assertThat(peer.index.ready(id, ref("w1"), 10, 256)).extracting(LocalIndex.Ready::index).containsExactly(0, 1, 2, 3, 4);
        assertThat(peer.index.jobEnded(id)).containsExactly(WorkUnit.id(id, 2));
        assertThat(peer.index.jobEnded("j-never")).isEmpty();
    }

    @Test
    void jobEnded_dropsItsFreshUnitsAndTheirCounts() {
        JobRecord job = peer.implicitJob(5, InMemoryPeer.quorum(1));

        peer.index.jobEnded(job.id());

        assertThat(peer.index.readyCount()).isZero();
        assertThat(peer.index.readyJobs()).isEmpty();
        assertThat(peer.index.counts(job.id())[UnitState.NEEDS_REPLICAS.ordinal()]).isZero();
        assertThat(peer.index.counts(job.id())[UnitCounts.WAITING]).isZero();
    }

    @Test
    void jobEnded_returnsTheKeysWithEntries_andAnEntryMadeLater_isAStray() {
        JobRecord job = peer.implicitJob(4, InMemoryPeer.quorum(1));
        assertThat(peer.scheduler().fetch(peer.worker("w1"), 2)).hasSize(2);
        List<String> strays = new java.util.ArrayList<>();
        peer.index.onStray(strays::add);

        List<String> withEntries = peer.index.jobEnded(job.id());
        Event.Issue late = new Event.Issue(ref("w2"), 1_000, 60_000); // an issue that read the index before the end
        peer.units.apply(new UnitTable.Step(job.id() + "/3", "noop", late, null,
                org.enjambre.coordinator.jobs.JobSpecs.of(job).redundancy())).join();

        assertThat(withEntries).containsExactlyInAnyOrder(job.id() + "/0", job.id() + "/1");
        assertThat(strays).containsExactly(job.id() + "/3");
    }

    @Test
    void absentUnit_onlyAnIssueWithThePolicyMakesIt() {
        Redundancy r = new Redundancy(1, 1, 3, 6, false);
        Event.Issue issue = new Event.Issue(ref("w1"), 1_000, 60_000);

        UnitChange noPolicy = peer.units.apply(new UnitTable.Step("j-a/0", "noop", issue, null)).join();
        UnitChange cancel = peer.units.apply(new UnitTable.Step("j-a/0", "noop", new Event.Cancel("x", 1), null, r)).join();
        assertThat(noPolicy.accepted()).isFalse();
        assertThat(cancel.accepted()).isFalse();
        assertThat(peer.units.get("j-a/0")).isNull();

        UnitChange made = peer.units.apply(new UnitTable.Step("j-a/0", "noop", issue, null, r)).join();
        assertThat(made.accepted()).isTrue();
        assertThat(made.changed()).isTrue();
        assertThat(peer.units.get("j-a/0").state()).isEqualTo(UnitState.IN_PROGRESS);
    }

    private static WorkerRef ref(String id) {
        return new WorkerRef(id, "acct-" + id, null);
    }
}
