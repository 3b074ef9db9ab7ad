package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.ValidateState;
import org.enjambre.workunits.model.WorkUnit;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The report handler over in-memory tables: validation, credit, refusals, spot-check verdicts, backtracking. */
class ReportHandlerTest {
    private final InMemoryPeer peer = new InMemoryPeer();

    @Test
    void report_quorumAgrees_unitDoneWorkersCreditedAndDurable() {
        JobRecord job = peer.job(1, 0, InMemoryPeer.quorum(2), 60);
        WorkerRecord a = peer.worker("a");
        WorkerRecord b = peer.worker("b");
        List<Scheduler.Assignment> ta = peer.scheduler().fetch(a, 1);
        List<Scheduler.Assignment> tb = peer.scheduler().fetch(b, 1);
        assertThat(peer.answer(a, ta).accepted()).hasSize(1);
        assertThat(peer.unit(job, 0).state()).isNotEqualTo(UnitState.DONE);
        assertThat(peer.answer(b, tb).accepted()).hasSize(1);
        assertThat(peer.unit(job, 0).state()).isEqualTo(UnitState.DONE);
        assertThat(peer.now(a).valid()).isEqualTo(1);
        assertThat(peer.now(b).credit()).isGreaterThan(0);
        assertThat(peer.store.units().get(WorkUnit.id(job.id(), 0)).state()).isEqualTo(UnitState.DONE);
        assertThat(peer.store.workers().get("a").valid()).isEqualTo(1);
    }

    @Test
    void report_badItems_refusedWithCodesAndNothingChanged() {
        JobRecord job = peer.job(1, 0, InMemoryPeer.quorum(1), 60);
        WorkerRecord a = peer.worker("a");
        Scheduler.ReportOutcome o = peer.scheduler().report(a, List.of(
                new Scheduler.Report("nonsense", new byte[1], null),
                new Scheduler.Report("nojob/0/0", new byte[1], null),
                new Scheduler.Report(job.id() + "/0/0", "x#0".getBytes(), null),
                new Scheduler.Report(job.id() + "/0/0", "x#0".getBytes(), null)));
        assertThat(o.accepted()).isEmpty();
        assertThat(o.rejected()).extracting(Scheduler.Refusal::code)
                .containsExactlyInAnyOrder("BAD_TASK_ID", "UNKNOWN_TASK", "DUPLICATE", "NOT_YOURS");
        assertThat(peer.unit(job, 0).version()).isZero();
    }

    @Test
    void report_blacklistedWorker_refused() {
        JobRecord job = peer.job(1, 0, InMemoryPeer.quorum(1), 60);
        WorkerRecord a = peer.worker("a");
        List<Scheduler.Assignment> t = peer.scheduler().fetch(a, 1);
        peer.workers.apply(java.util.Map.of("a", WorkerRecord.Stats.NONE.plusSpotFailed()));
        assertThat(peer.answer(a, t).rejected()).extracting(Scheduler.Refusal::code).containsExactly("BLACKLISTED");
        assertThat(peer.unit(job, 0).state()).isNotEqualTo(UnitState.DONE);
    }

    @Test
    void report_wrongSpotCheckAnswer_blacklistsAndBacktracksUnvalidatedResults() {
        FakeChecks checks = new FakeChecks(false);
        peer.checks = checks;
        JobRecord job = peer.job(2, 0, InMemoryPeer.quorum(2), 60);
        WorkerRecord a = peer.worker("a");
        peer.answer(a, peer.scheduler().fetch(a, 2)); // two results waiting for a second opinion
        Scheduler.Assignment check = checks.create(peer.now(a), 0, 1).orElseThrow();
        Scheduler.ReportOutcome o = peer.scheduler().report(peer.now(a),
                List.of(new Scheduler.Report(check.id(), "wrong".getBytes(), null)));
        assertThat(o.accepted()).containsExactly(check.id());
        assertThat(peer.now(a).blacklisted()).isTrue();
        assertThat(peer.told).containsExactly("release a");
        for (int i = 0; i < 2; i++) {
            assertThat(peer.unit(job, i).tasks().get(0).validate()).isEqualTo(ValidateState.INVALID);
            assertThat(peer.store.units().get(WorkUnit.id(job.id(), i)).tasks().get(0).validate()).isEqualTo(ValidateState.INVALID);
        }
    }

    @Test
    void report_passedSpotCheck_countedAndToldToEveryPeer() {
        FakeChecks checks = new FakeChecks(false);
        peer.checks = checks;
        WorkerRecord a = peer.worker("a");
        Scheduler.Assignment check = checks.create(a, 0, 1).orElseThrow();
        assertThat(peer.answer(a, List.of(check)).accepted()).containsExactly(check.id());
        assertThat(peer.now(a).spotChecksPassed()).isEqualTo(1);
        assertThat(peer.told).containsExactly("credible a");
    }

    @Test
    void report_spotCheckOfAnotherWorker_refusedNotYours() {
        FakeChecks checks = new FakeChecks(false);
        peer.checks = checks;
        WorkerRecord a = peer.worker("a");
        Scheduler.Assignment check = checks.create(a, 0, 1).orElseThrow();
        assertThat(peer.answer(peer.worker("b"), List.of(check)).rejected()).extracting(Scheduler.Refusal::code)
                .containsExactly("NOT_YOURS");
    }
}
