package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.VisitOutlook;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.WorkUnit;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Units sized for a browser's visit, through the issuer over in-memory tables with a manual clock: what fits, how
 * many, how the time left shrinks, and a unit too long for any visit refused, then given after the wait.
 */
class VisitPlannerTest {
    /** Primes 2..10002 in 100 units of 100 integers: unit i costs (100 + sqrt(to_i)) × 4e-9, growing with i. */
    private static final int UNITS = 100;
    private final InMemoryPeer peer = new InMemoryPeer();
    private final VisitPlanner planner = new VisitPlanner(peer.jobs, peer.clock, VisitPlanner.DEFAULT_OVERSIZE_WAIT_MILLIS);

    private JobRecord primes() {
        String id = "j-" + UUID.randomUUID();
        String spec = "{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":10002},\"workUnits\":" + UNITS
                + ",\"deadlineSeconds\":3600,\"redundancy\":" + InMemoryPeer.quorum(1) + "}";
        JobRecord job = new JobRecord(id, "test", "primes", spec, UNITS, 0, JobState.QUEUED, peer.clock.millis(), 0, 0,
                null, null, 0);
        peer.jobs.put(job);
        for (int i = 0; i < UNITS; i++) {
            peer.units.put(WorkUnit.create(id, i, org.enjambre.coordinator.jobs.JobSpecs.of(job).redundancy()));
        }
        return job;
    }

    private WorkerRecord browser(String id, int cores) {
        return browser(id, cores, List.of("primes"));
    }

    private WorkerRecord browser(String id, int cores, List<String> apps) {
        WorkerRecord w = new WorkerRecord(id, "hash", id, "browser", cores, 256, apps, "acct-" + id, null,
                peer.clock.millis(), peer.clock.millis(), 0, 0, 0, 0, 0, 0, false, 0, 0, 1);
        peer.workers.put(w);
        return w;
    }

    private double cost(JobRecord job, int index) {
        return planner.cost(job, WorkUnit.id(job.id(), index));
    }

    /** An outlook whose slot budget is exactly the cost of unit {@code index} of {@code job}, {@code typical} long. */
    private VisitOutlook budgetOf(JobRecord job, int index, long typicalMillis, long elapsedMillis) {
        return new VisitOutlook(typicalMillis, elapsedMillis, cost(job, index) / (typicalMillis / 1000.0));
    }

    private List<Scheduler.Assignment> fetch(WorkerRecord w, int max, VisitOutlook o) {
        return peer.scheduler().issuer().fetch(w, max, Issuer.DEFAULT_FETCH_BYTES, planner.fit(o, max, w.cores()));
    }

    @Test
    void remaining_shrinksWithTimeSpent_downToAQuarterOfTheTypicalVisit() {
        assertThat(new VisitOutlook(300_000, 0, 1).remainingMillis()).isEqualTo(300_000);
        assertThat(new VisitOutlook(300_000, 200_000, 1).remainingMillis()).isEqualTo(100_000);
        assertThat(new VisitOutlook(300_000, 290_000, 1).remainingMillis()).isEqualTo(75_000);
        assertThat(new VisitOutlook(300_000, 3_000_000, 0.5).slotBudget()).isEqualTo(37.5);
    }

    @Test
    void fetch_browser_neverGetsUnitsOfAJobThatReadsFiles_aJvmWorkerDoes() {
        String id = "j-" + UUID.randomUUID();
        String spec = "{\"app\":\"wordcount\",\"input\":{\"files\":[\"" + "a".repeat(64) + "\",\"" + "b".repeat(64) + "\"]},"
                + "\"workUnits\":2,\"deadlineSeconds\":3600,\"redundancy\":" + InMemoryPeer.quorum(1) + "}";
        JobRecord files = new JobRecord(id, "test", "wordcount", spec, 2, 5, JobState.QUEUED, peer.clock.millis(), 0, 0,
                null, null, 0);
        peer.jobs.put(files);
        for (int i = 0; i < 2; i++) {
            peer.units.put(WorkUnit.create(id, i, org.enjambre.coordinator.jobs.JobSpecs.of(files).redundancy()));
        }
        primes();
        WorkerRecord b = browser("b", 64, List.of("primes", "wordcount"));
        List<Scheduler.Assignment> got = fetch(b, 64, new VisitOutlook(3_600_000, 0, 1e6));
        assertThat(got).as("the files job comes first (priority 5) but only primes units fit a browser")
                .isNotEmpty().allSatisfy(a -> assertThat(a.app()).isEqualTo("primes"));
        WorkerRecord jvm = peer.worker("jvm", "acct-jvm", List.of("wordcount"));
        assertThat(fetch(jvm, 64, null)).extracting(Scheduler.Assignment::app).containsExactly("wordcount", "wordcount");
    }

    @Test
    void fetch_noOutlook_admitsEveryUnitAsBefore() {
        JobRecord job = primes();
        assertThat(fetch(browser("jvm-like", 1), UNITS, null)).hasSize(UNITS);
        assertThat(cost(job, UNITS - 1)).isGreaterThan(1.5 * cost(job, 0)); // the job does mix small and large units
    }

    @Test
    void fetch_shortVisit_getsOnlyUnitsThatFitItsTimeLeft() {
        JobRecord job = primes();
        VisitOutlook o = budgetOf(job, 40, 15_000, 0);
        List<Scheduler.Assignment> got = fetch(browser("b", 64), 64, o);
        assertThat(got).isNotEmpty();
        assertThat(got).allSatisfy(a -> assertThat(a.cost()).isLessThanOrEqualTo(o.slotBudget()));
        assertThat(got).extracting(a -> WorkUnit.id(job.id(), Integer.parseInt(a.id().split("/")[1])))
                .doesNotContain(WorkUnit.id(job.id(), 41), WorkUnit.id(job.id(), UNITS - 1));
        // The large units are still there for a worker whose units are not sized.
        assertThat(fetch(browser("jvm", 4), UNITS, null)).extracting(Scheduler.Assignment::cost)
                .allSatisfy(c -> assertThat(c).isGreaterThan(o.slotBudget()));
    }

    @Test
    void fetch_laterInTheVisit_fewerUnitsFit() {
        JobRecord job = primes();
        long typical = 60_000;
        VisitOutlook late = budgetOf(job, 60, typical, 15_000);
        assertThat(late.slotBudget()).isEqualTo(0.75 * budgetOf(job, 60, typical, 0).slotBudget());
        List<Scheduler.Assignment> lateUnits = fetch(browser("late", 64), 64, late);
        assertThat(lateUnits).isNotEmpty().allSatisfy(a -> assertThat(a.cost()).isLessThanOrEqualTo(late.slotBudget()));
        // The same browser at the start of a visit takes larger units than fit later on.
        List<Scheduler.Assignment> early = fetch(browser("early", 64), 64, budgetOf(job, 60, typical, 0));
        assertThat(early.stream().mapToDouble(Scheduler.Assignment::cost).max().orElseThrow()).isGreaterThan(late.slotBudget());
    }

    @Test
    void fetch_manyUnitsFit_noMoreThanItsSlotsCanFinish() {
        JobRecord job = primes();
        // A slot fits unit 99 (the largest): each unit fits, and two slots take about two units' worth.
        VisitOutlook o = budgetOf(job, UNITS - 1, 10_000, 0);
        List<Scheduler.Assignment> got = fetch(browser("two-cores", 2), UNITS, o);
        double total = got.stream().mapToDouble(Scheduler.Assignment::cost).sum();
        assertThat(total).isLessThanOrEqualTo(2 * o.slotBudget());
        assertThat(got.size()).isBetween(2, 4);
    }

    @Test
    void fetch_unitTooLongForAnyVisit_refusedUntilTheWait_thenOnePerFetch() {
        JobRecord job = primes();
        VisitOutlook tiny = new VisitOutlook(1_000, 0, cost(job, 0) / 10); // nothing fits: a tenth of unit 0 per second
        WorkerRecord b = browser("b", 4);
        assertThat(fetch(b, 4, tiny)).isEmpty();
        peer.clock.advance(Duration.ofMillis(VisitPlanner.DEFAULT_OVERSIZE_WAIT_MILLIS - 1));
        assertThat(fetch(b, 4, tiny)).isEmpty();
        peer.clock.advance(Duration.ofMillis(1));
        List<Scheduler.Assignment> first = fetch(b, 4, tiny);
        assertThat(first).extracting(Scheduler.Assignment::id).containsExactly(job.id() + "/0/0");
        assertThat(fetch(b, 4, tiny)).extracting(Scheduler.Assignment::id).containsExactly(job.id() + "/1/0");
    }

    @Test
    void fetch_browserOnlyJob_completesWithOversizedUnits() {
        JobRecord job = primes();
        VisitOutlook tiny = new VisitOutlook(1_000, 0, cost(job, 0) / 10);
        WorkerRecord b = browser("b", 4);
        assertThat(fetch(b, 4, tiny)).isEmpty();
        peer.clock.advance(Duration.ofMillis(VisitPlanner.DEFAULT_OVERSIZE_WAIT_MILLIS));
        int done = 0;
        for (int i = 0; i < 2 * UNITS && done < UNITS; i++) {
            List<Scheduler.Assignment> got = fetch(b, 4, tiny);
            for (Scheduler.Assignment a : got) {
                peer.scheduler().report(b, List.of(new Scheduler.Report(a.id(), "{\"count\":0}".getBytes(), null)));
                done++;
            }
        }
        assertThat(done).isEqualTo(UNITS);
        for (int i = 0; i < UNITS; i++) {
            assertThat(peer.unit(job, i).state()).isEqualTo(org.enjambre.workunits.model.UnitState.DONE);
        }
    }
}
