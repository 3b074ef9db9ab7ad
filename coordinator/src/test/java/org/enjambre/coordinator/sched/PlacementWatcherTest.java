package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.jobs.UnitCounts;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.UnitState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The placement watcher with a manual clock: a unit no connected worker may take is counted, then failed. */
class PlacementWatcherTest {
    private static final long WAIT = 60_000;
    private final InMemoryPeer peer = new InMemoryPeer();

    private PlacementWatcher watcher() {
        return peer.scheduler(WAIT).placement();
    }

    /** A job of one unit, quorum 2 of 2, whose replica 0 (worker a) erred while b holds replica 1. */
    private JobRecord erredOnceWith(WorkerRecord a, WorkerRecord b) {
        JobRecord job = peer.job(1, 0, InMemoryPeer.quorum(2), 600);
        List<Scheduler.Assignment> taken = peer.scheduler(WAIT).fetch(a, 1);
        peer.scheduler(WAIT).fetch(b, 1);
        peer.scheduler(WAIT).report(peer.now(a), List.of(new Scheduler.Report(taken.get(0).id(), null, "trap: unreachable")));
        assertThat(peer.unit(job, 0).state()).isEqualTo(UnitState.NEEDS_REPLICAS);
        return job;
    }

    private long noEligibleWorker(JobRecord job) {
        return peer.index.counts(job.id())[UnitCounts.NO_ELIGIBLE_WORKER];
    }

    @Test
    void check_everyConnectedWorkerHeldAReplica_countedThenFailedAfterTheWait() {
        WorkerRecord a = peer.worker("a");
        WorkerRecord b = peer.worker("b");
        JobRecord job = erredOnceWith(a, b);
        List<WorkerRecord> connected = List.of(peer.now(a), peer.now(b));

        assertThat(watcher().check(() -> connected)).isZero();
        assertThat(noEligibleWorker(job)).isEqualTo(1);
        peer.clock.advance(Duration.ofMillis(WAIT - 1));
        assertThat(watcher().check(() -> connected)).isZero();
        assertThat(peer.unit(job, 0).state()).isEqualTo(UnitState.NEEDS_REPLICAS);

        peer.clock.advance(Duration.ofMillis(1));
        assertThat(watcher().check(() -> connected)).isEqualTo(1);
        assertThat(peer.unit(job, 0).state()).isEqualTo(UnitState.FAILED);
        assertThat(peer.unit(job, 0).failure()).isEqualTo("no eligible worker for 60 s: every connected worker that runs"
                + " noop already holds or held a replica of it (placement)");
        assertThat(noEligibleWorker(job)).isZero();
    }

    @Test
    void check_onlyAWorkerOfTheSameAccountConnected_reasonNamesTheAccountOrHostRule() {
        WorkerRecord a = peer.worker("a");
        WorkerRecord b = peer.worker("b");
        JobRecord job = erredOnceWith(a, b);
        WorkerRecord twin = peer.worker("twin", "acct-a");

        peer.clock.advance(Duration.ofMillis(WAIT));
        watcher().check(() -> List.of(peer.now(a), twin));
        peer.clock.advance(Duration.ofMillis(WAIT));
        assertThat(watcher().check(() -> List.of(peer.now(a), twin))).isEqualTo(1);
        assertThat(peer.unit(job, 0).failure()).isEqualTo("no eligible worker for 60 s: every connected worker that runs"
                + " noop shares an account or host with one that holds or held a replica of it (placement)");
    }

    @Test
    void check_aNewWorkerConnects_countClearedAndTheWaitStartsAgain() {
        WorkerRecord a = peer.worker("a");
        WorkerRecord b = peer.worker("b");
        JobRecord job = erredOnceWith(a, b);
        watcher().check(() -> List.of(peer.now(a), peer.now(b)));
        assertThat(noEligibleWorker(job)).isEqualTo(1);

        WorkerRecord c = peer.worker("c");
        peer.clock.advance(Duration.ofMillis(WAIT));
        assertThat(watcher().check(() -> List.of(peer.now(a), peer.now(b), c))).isZero();
        assertThat(noEligibleWorker(job)).isZero();
        assertThat(peer.scheduler(WAIT).fetch(c, 1)).extracting(Scheduler.Assignment::id).containsExactly(job.id() + "/0/2");
    }

    @Test
    void check_noConnectedWorkerRunsTheApp_notAPlacementStall_neverFailed() {
        WorkerRecord a = peer.worker("a");
        WorkerRecord b = peer.worker("b");
        JobRecord job = erredOnceWith(a, b);
        WorkerRecord other = peer.worker("other", "acct-other", List.of("primes"));

        for (int i = 0; i < 3; i++) {
            assertThat(watcher().check(() -> List.of(other))).isZero();
            assertThat(watcher().check(List::of)).isZero();
            peer.clock.advance(Duration.ofMillis(WAIT));
        }
        assertThat(noEligibleWorker(job)).isZero();
        assertThat(peer.unit(job, 0).state()).isEqualTo(UnitState.NEEDS_REPLICAS);
    }

    @Test
    void check_resultWaitsForCredibility_countedButNeverFailed_aSpotCheckMayStillAcceptIt() {
        peer.checks = new FakeChecks(false);
        JobRecord job = peer.job(1, 0, "{\"replicas\":3,\"quorum\":1,\"maxErrors\":3,\"maxResults\":6,"
                + "\"credibility\":0.99,\"spotCheckRate\":0.1}", 600);
        WorkerRecord a = peer.worker("a");
        WorkerRecord b = peer.worker("b");
        peer.answer(a, peer.scheduler(WAIT).fetch(a, 1));
        peer.scheduler(WAIT).fetch(b, 1);
        assertThat(peer.unit(job, 0).state()).as("fresh results wait; a replica is unsent").isEqualTo(UnitState.NEEDS_REPLICAS);
        List<WorkerRecord> connected = List.of(peer.now(a), peer.now(b));

        watcher().check(() -> connected);
        peer.clock.advance(Duration.ofMillis(3 * WAIT));
        assertThat(watcher().check(() -> connected)).isZero();
        assertThat(noEligibleWorker(job)).isEqualTo(1);
        assertThat(peer.scheduler(WAIT).credibility().revalidate("a", 0.999)).isEqualTo(1);
        assertThat(peer.unit(job, 0).state()).isEqualTo(UnitState.DONE);
        assertThat(noEligibleWorker(job)).isZero();
    }

    @Test
    void check_freshUnits_notLookedAtEvenWithNoWorkerConnected() {
        JobRecord job = peer.job(3, 0, InMemoryPeer.quorum(2), 600);
        assertThat(peer.index.reissues()).isEmpty();
        assertThat(watcher().check(() -> {
            throw new AssertionError("the workers are read only when a reissue is ready");
        })).isZero();
        assertThat(noEligibleWorker(job)).isZero();
    }

    @Test
    void check_itsWorkerPassesCheckAfterCheck_theWaitIsNotStartedAgain_theUnitFails() {
        // Quorum 2 with spot-checks: a's lone result waits for another replica; b erred; nobody else may take it.
        JobRecord job = peer.job(1, 0, "{\"replicas\":2,\"quorum\":2,\"maxErrors\":3,\"maxResults\":6,"
                + "\"spotCheckRate\":0.1}", 600);
        WorkerRecord a = peer.worker("a");
        WorkerRecord b = peer.worker("b");
        List<Scheduler.Assignment> ofA = peer.scheduler(WAIT).fetch(a, 1);
        List<Scheduler.Assignment> ofB = peer.scheduler(WAIT).fetch(b, 1);
        peer.scheduler(WAIT).report(peer.now(a), List.of(new Scheduler.Report(ofA.get(0).id(), "x#0".getBytes(), null)));
        peer.scheduler(WAIT).report(peer.now(b), List.of(new Scheduler.Report(ofB.get(0).id(), null, "trap: unreachable")));
        assertThat(peer.unit(job, 0).state()).isEqualTo(UnitState.NEEDS_REPLICAS);
        List<WorkerRecord> connected = List.of(peer.now(a), peer.now(b));
        assertThat(watcher().check(() -> connected)).isZero();

        // a passes spot-checks meanwhile: each raises the credibility its result carries (the unit changes).
        for (int i = 1; i <= 6; i++) {
            peer.clock.advance(Duration.ofMillis(WAIT / 6));
            assertThat(peer.scheduler(WAIT).credibility().revalidate("a", 0.95 + i * 0.001)).isEqualTo(1);
            assertThat(peer.unit(job, 0).task(0).credibility()).isEqualTo(0.95 + i * 0.001);
        }
        assertThat(watcher().check(() -> connected)).as("waited %d ms with no eligible worker", WAIT).isEqualTo(1);
        assertThat(peer.unit(job, 0).state()).isEqualTo(UnitState.FAILED);
    }
}
