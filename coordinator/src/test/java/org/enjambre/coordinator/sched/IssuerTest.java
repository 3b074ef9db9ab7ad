package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.TaskState;
import org.enjambre.workunits.model.WorkUnit;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The issuer over in-memory tables: what a fetch hands out, in which order, and what it writes. */
class IssuerTest {
    private final InMemoryPeer peer = new InMemoryPeer();

    @Test
    void fetch_readyUnits_issuedLowestIndexFirstWithDeadlineFromClock() {
        JobRecord job = peer.job(5, 0, InMemoryPeer.quorum(1), 60);
        List<Scheduler.Assignment> tasks = peer.scheduler().fetch(peer.worker("w1"), 3);
        assertThat(tasks).extracting(Scheduler.Assignment::id)
                .containsExactly(job.id() + "/0/0", job.id() + "/1/0", job.id() + "/2/0");
        assertThat(tasks.get(0).deadline()).isEqualTo(peer.clock.millis() + 60_000);
        assertThat(new String(tasks.get(1).input())).isEqualTo("x#1");
        assertThat(peer.unit(job, 0).tasks().get(0).state()).isEqualTo(TaskState.IN_PROGRESS);
    }

    @Test
    void fetch_sameWorkerTwice_neverGetsTwoReplicasOfOneUnit() {
        JobRecord job = peer.job(2, 0, InMemoryPeer.quorum(2), 60);
        WorkerRecord w = peer.worker("w1");
        assertThat(peer.scheduler().fetch(w, 10)).hasSize(2);
        assertThat(peer.scheduler().fetch(w, 10)).isEmpty();
        assertThat(peer.scheduler().fetch(peer.worker("w2"), 10)).extracting(Scheduler.Assignment::id)
                .containsExactly(job.id() + "/0/1", job.id() + "/1/1");
    }

    /**
     * CI, eleventh session: the index had learned of 60 of a worker's previous 64 issues; the fetch lost the other 4
     * (the table refused a second replica to the same worker), and its later rounds, still seeing its own new issues
     * as ready, tried them again instead of the next units: 60 tasks for a fetch of 64 with hundreds ready.
     */
    @Test
    void fetch_indexLagsBehindIssues_stillFillsTheFetch() {
        JobRecord job = peer.implicitJob(640, InMemoryPeer.quorum(2));
        WorkerRecord w = peer.worker("w1");
        peer.lagIndex();
        assertThat(peer.scheduler().fetch(w, 64)).hasSize(64);
        peer.catchUp(60);
        List<Scheduler.Assignment> second = peer.scheduler().fetch(w, 64);
        assertThat(second).hasSize(64);
        assertThat(second).extracting(Scheduler.Assignment::id).doesNotHaveDuplicates()
                .allMatch(id -> Integer.parseInt(id.split("/")[1]) >= 64, "units not in the first fetch");
        assertThat(peer.scheduler().fetch(w, 64)).as("nothing learned since").hasSize(64);
        assertThat(peer.unit(job, 191).tasks()).as("the third fetch ends at unit 191").isNotEmpty();
    }

    @Test
    void fetch_blacklistedWorker_getsNothing() {
        peer.job(2, 0, InMemoryPeer.quorum(1), 60);
        WorkerRecord w = peer.worker("w1");
        peer.workers.apply(java.util.Map.of(w.id(), WorkerRecord.Stats.NONE.plusSpotFailed()));
        assertThat(peer.scheduler().fetch(peer.now(w), 10)).isEmpty();
    }

    @Test
    void fetch_higherPriorityJob_servedFirst() {
        JobRecord low = peer.job(3, 0, InMemoryPeer.quorum(1), 60);
        JobRecord high = peer.job(3, 5, InMemoryPeer.quorum(1), 60);
        List<Scheduler.Assignment> tasks = peer.scheduler().fetch(peer.worker("w1"), 4);
        assertThat(tasks).extracting(Scheduler.Assignment::id)
                .containsExactly(high.id() + "/0/0", high.id() + "/1/0", high.id() + "/2/0", low.id() + "/0/0");
    }

    /** Issue 16: a job's first fetch no longer waits for an fsync of its RUNNING record; a crash may lose it (QUEUED again). */
    @Test
    void fetch_firstIssue_marksJobRunning_writesTheRecordBehindWithTheIssue() {
        JobRecord job = peer.job(1, 0, InMemoryPeer.quorum(1), 60);
        peer.scheduler().fetch(peer.worker("w1"), 1);
        assertThat(peer.jobs.find(job.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(peer.store.jobs()).as("written behind").doesNotContainKey(job.id());
        assertThat(peer.store.units()).isEmpty(); // the issue is written behind
        peer.store.flush();
        assertThat(peer.store.jobs().get(job.id()).state()).isEqualTo(JobState.RUNNING);
        assertThat(peer.store.units().get(WorkUnit.id(job.id(), 0)).tasks().get(0).state()).isEqualTo(TaskState.IN_PROGRESS);
    }

    @Test
    void fetch_nothingReadyHere_stealsWhatOtherPeersOffer() {
        JobRecord job = peer.job(4, 0, InMemoryPeer.quorum(1), 60);
        WorkerRecord w = peer.worker("w1");
        peer.scheduler().fetch(w, 4); // everything this peer owns is taken
        String key = WorkUnit.id(job.id(), 7);
        peer.notOwned.add(key);
        peer.units.put(WorkUnit.create(job.id(), 7, org.enjambre.coordinator.jobs.JobSpecs.of(job).redundancy()));
        assertThat(peer.scheduler().fetch(peer.worker("w2"), 1)).isEmpty();
        peer.elsewhere.add(key);
        assertThat(peer.scheduler().fetch(peer.worker("w3"), 1)).extracting(Scheduler.Assignment::id)
                .containsExactly(job.id() + "/7/0");
    }

    @Test
    void fetch_spotChecksDue_mixedInUpToHalf() {
        peer.checks = new FakeChecks(true);
        peer.job(10, 0, "{\"replicas\":1,\"quorum\":1,\"maxErrors\":3,\"maxResults\":6,\"spotCheckRate\":0.5}", 60);
        List<Scheduler.Assignment> tasks = peer.scheduler().fetch(peer.worker("w1"), 4);
        assertThat(tasks).hasSize(4);
        assertThat(tasks).filteredOn(a -> a.id().startsWith(SpotChecks.PREFIX)).hasSize(2);
    }

    @Test
    void fetch_inputsOverTheByteBudget_stopsThere_atLeastOneTask_restStaysReady() {
        JobRecord job = peer.job(4, 0, InMemoryPeer.quorum(1), 60); // inputs "x#0".. of 3 bytes
        WorkerRecord w = peer.worker("w1");
        assertThat(peer.scheduler().issuer().fetch(w, 10, 7)).extracting(Scheduler.Assignment::id)
                .containsExactly(job.id() + "/0/0", job.id() + "/1/0");
        assertThat(peer.scheduler().issuer().fetch(w, 10, 0)).extracting(Scheduler.Assignment::id)
                .containsExactly(job.id() + "/2/0");
        assertThat(peer.unit(job, 3).state()).isEqualTo(org.enjambre.workunits.model.UnitState.NEEDS_REPLICAS);
    }

    @Test
    void fetch_workerOnProbation_holdsFourUnitsOfASpotCheckedJob_doubledByEachPassedCheck_unboundedAfterItsWarmup() {
        peer.checks = new FakeChecks(false); // answers to check with exist; none due in these fetches
        JobRecord checked = peer.job(200, 0, "{\"replicas\":1,\"quorum\":1,\"maxErrors\":3,\"maxResults\":6,\"spotCheckRate\":0.1}", 60);
        WorkerRecord w = peer.worker("w1");
        assertThat(peer.scheduler().fetch(w, 50)).as("no check passed: 4 units").hasSize(4);
        assertThat(peer.scheduler().fetch(w, 50)).as("it holds 4 already").isEmpty();
        peer.workers.apply(java.util.Map.of(w.id(), WorkerRecord.Stats.NONE.plusSpotPassed()));
        assertThat(peer.scheduler().fetch(peer.now(w), 50)).as("one check passed: 8 in progress").hasSize(4);
        for (int i = 1; i < org.enjambre.workunits.trust.TrustRules.WARMUP_CHECKS; i++) {
            peer.workers.apply(java.util.Map.of(w.id(), WorkerRecord.Stats.NONE.plusSpotPassed()));
        }
        assertThat(peer.scheduler().fetch(peer.now(w), 50)).as("warm-up passed: no limit").hasSize(50);
        assertThat(peer.unit(checked, 57).tasks()).as("issued in index order").hasSize(1);
    }

    @Test
    void fetch_newWorker_jobWithoutSpotChecks_isNotLimited() {
        peer.checks = new FakeChecks(false);
        peer.job(100, 0, InMemoryPeer.quorum(1), 60);
        assertThat(peer.scheduler().fetch(peer.worker("w1"), 50)).hasSize(50);
    }

    @Test
    void fetch_unitsReadyButNoneForThisWorker_itsResultWaitsForCredibility_getsACheck() {
        peer.checks = new FakeChecks(true);
        JobRecord job = peer.job(2, 0, "{\"replicas\":1,\"quorum\":1,\"maxErrors\":3,\"maxResults\":6,"
                + "\"credibility\":0.99,\"spotCheckRate\":0.2}", 60);
        WorkerRecord w = peer.worker("w1");
        List<Scheduler.Assignment> first;
        do { // the units, and whatever checks ride along with them (answered right)
            first = peer.scheduler().fetch(peer.now(w), 4);
            for (Scheduler.Assignment a : first) {
                if (a.id().startsWith(SpotChecks.PREFIX)) {
                    peer.answer(w, List.of(a));
                }
            }
        } while (peer.unit(job, 1).tasks().get(0).state() != TaskState.IN_PROGRESS);
        // Unit 0: a result that waits for w1's credibility (and a planned second replica, not for w1). Unit 1: an
        // error, so it is ready again, but not for w1.
        String unit0 = job.id() + "/0/0";
        String unit1 = job.id() + "/1/0";
        peer.scheduler().report(peer.now(w), List.of(new Scheduler.Report(unit0, "x#0".getBytes(), null),
                new Scheduler.Report(unit1, null, "boom")));
        assertThat(peer.unit(job, 0).state()).as("w1's result is not credible alone")
                .isNotEqualTo(org.enjambre.workunits.model.UnitState.DONE);
        assertThat(peer.unit(job, 1).state()).isEqualTo(org.enjambre.workunits.model.UnitState.NEEDS_REPLICAS);

        assertThat(peer.scheduler().fetch(peer.now(w), 4)).as("nothing here w1 may take, so it is checked")
                .extracting(Scheduler.Assignment::id).singleElement().asString().startsWith(SpotChecks.PREFIX);
    }

    @Test
    void fetch_itsLoneQuorumResultNeedsAnotherReplica_noCheckCouldAcceptIt_soNoIdleCheck() {
        peer.checks = new FakeChecks(true);
        WorkerRecord a = peer.worker("a");
        JobRecord job = peer.loneQuorumResult(peer.scheduler(), a, peer.worker("b"));
        assertThat(peer.unit(job, 0).state()).isEqualTo(org.enjambre.workunits.model.UnitState.NEEDS_REPLICAS);
        for (int i = 0; i < 5; i++) {
            assertThat(peer.scheduler().fetch(peer.now(a), 4)).as("a spins on checks that cannot move its unit").isEmpty();
        }
    }
}
