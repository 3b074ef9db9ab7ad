package org.enjambre.coordinator.workers;

import org.enjambre.coordinator.model.VisitOutlook;
import org.enjambre.coordinator.model.VisitStats;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.coordinator.sched.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** A browser's visits learned from its contacts, on a clock the test moves; the log keeps histories in memory. */
class VisitsTest {
    private final ManualClock clock = new ManualClock(1_000_000);
    private final MemLog log = new MemLog();
    private final Visits visits = new Visits(log, clock);

    /** Histories in memory, as {@link VisitRecords} keeps them in the cluster. */
    private static final class MemLog implements Visits.Log {
        final Map<String, VisitStats> workers = new HashMap<>();
        final Map<String, VisitStats> platforms = new HashMap<>();
        final List<Long> visits = new ArrayList<>();

        @Override
        public synchronized VisitStats visited(String workerId, String platform, long millis) {
            visits.add(millis);
            platforms.merge(platform, VisitStats.NONE.afterVisit(millis, 1), (a, b) -> a.afterVisit(millis, VisitStats.PLATFORM_WEIGHT));
            return workers.merge(workerId, VisitStats.NONE.afterVisit(millis, 1), (a, b) -> a.afterVisit(millis, VisitStats.WORKER_WEIGHT));
        }

        @Override
        public synchronized VisitStats measured(String workerId, String platform, double[] samples) {
            VisitStats s = workers.getOrDefault(workerId, VisitStats.NONE);
            VisitStats p = platforms.getOrDefault(platform, VisitStats.NONE);
            for (double x : samples) {
                s = s.afterSpeed(x, VisitStats.WORKER_WEIGHT);
                p = p.afterSpeed(x, VisitStats.PLATFORM_WEIGHT);
            }
            workers.put(workerId, s);
            platforms.put(platform, p);
            return s;
        }

        @Override
        public synchronized VisitStats platform(String platform) {
            return platforms.getOrDefault(platform, VisitStats.NONE);
        }
    }

    private WorkerRecord browser(String id) {
        return new WorkerRecord(id, "hash", id, Visits.PLATFORM, 4, 256, List.of("primes"), null, null, 0, 0, 0, 0, 0,
                0, 0, 0, false, 0, 0, 1, log.workers.getOrDefault(id, VisitStats.NONE));
    }

    @Test
    void contact_jvmWorker_notTracked() {
        WorkerRecord jvm = new WorkerRecord("w", "hash", "w", "linux/amd64", 4, 256, List.of("primes"), null, null, 0, 0,
                0, 0, 0, 0, 0, 0, false, 0, 0, 1);
        assertThat(visits.contact(jvm)).isNull();
        clock.advance(Duration.ofMillis(Visits.GAP_MILLIS + 1));
        assertThat(visits.sweep()).isZero();
        assertThat(log.visits).isEmpty();
    }

    @Test
    void contact_newTabBeforeAnyHistory_expectsTheConservativeDefaults() {
        VisitOutlook o = visits.contact(browser("b"));
        assertThat(o.typicalMillis()).isEqualTo(Visits.DEFAULT_VISIT_MILLIS);
        assertThat(o.speed()).isEqualTo(Visits.DEFAULT_SPEED);
        assertThat(o.remainingMillis()).isEqualTo(Visits.DEFAULT_VISIT_MILLIS);
    }

    @Test
    void visit_learnedFromFirstToLastContact_closedBySweepAfterTheGap() {
        visits.contact(browser("b"));
        clock.advance(Duration.ofMillis(20_000));
        visits.contact(browser("b"));
        clock.advance(Duration.ofMillis(25_000));
        visits.contact(browser("b"));
        clock.advance(Duration.ofMillis(Visits.GAP_MILLIS));
        assertThat(visits.sweep()).as("not yet past the gap").isZero();
        clock.advance(Duration.ofMillis(1));
        assertThat(visits.sweep()).isEqualTo(1);
        assertThat(visits.sweep()).as("closed once").isZero();
        assertThat(log.visits).containsExactly(45_000L);
        assertThat(log.workers.get("b")).isEqualTo(new VisitStats(1, 45_000, 0, 0));
        // The next contact starts a new visit, expecting the blend of its own visit and the platform's (the same one).
        VisitOutlook o = visits.contact(browser("b"));
        assertThat(o.typicalMillis()).isEqualTo(45_000);
        assertThat(o.elapsedMillis()).isZero();
    }

    @Test
    void contact_afterTheGap_closesTheOldVisitAndStartsANewOne() {
        visits.contact(browser("b"));
        clock.advance(Duration.ofMillis(10_000));
        visits.contact(browser("b"));
        clock.advance(Duration.ofMillis(Visits.GAP_MILLIS + 5_000));
        VisitOutlook o = visits.contact(browser("b"));
        assertThat(log.visits).containsExactly(10_000L);
        assertThat(o.elapsedMillis()).isZero();
        assertThat(o.typicalMillis()).isEqualTo(10_000);
    }

    @Test
    void remaining_shrinksAsTheVisitGoesOn() {
        visits.contact(browser("b"));
        clock.advance(Duration.ofMillis(50_000));
        visits.contact(browser("b"));
        clock.advance(Duration.ofMillis(50_000));
        VisitOutlook later = visits.contact(browser("b"));
        assertThat(later.elapsedMillis()).isEqualTo(100_000);
        assertThat(later.remainingMillis()).isEqualTo(Visits.DEFAULT_VISIT_MILLIS - 100_000);
    }

    @Test
    void heldTask_keepsTheVisitOpenWhileItIsExpectedToRun_releaseEndsIt() {
        VisitOutlook o = visits.contact(browser("b"));
        // A unit of 60 cost units at 0.5 per second: expected to run 120 s, longer than the gap.
        visits.issued(browser("b"), o, Map.of("j/0/0", 60.0));
        clock.advance(Duration.ofMillis(Visits.GAP_MILLIS + 1));
        assertThat(visits.sweep()).as("computing, not gone").isZero();
        clock.advance(Duration.ofMillis(30_000));
        visits.contact(browser("b"));
        visits.synced(browser("b"), Set.of()); // pagehide: it lets its task go
        clock.advance(Duration.ofMillis(Visits.GAP_MILLIS + 1));
        assertThat(visits.sweep()).isEqualTo(1);
        assertThat(log.visits).containsExactly(Visits.GAP_MILLIS + 1 + 30_000);
    }

    @Test
    void report_measuresSpeedFromIssueToResult_andANewTabUsesThePlatformsSpeed() {
        VisitOutlook o = visits.contact(browser("b"));
        visits.issued(browser("b"), o, Map.of("j/0/0", 3.0, "j/1/0", 6.0));
        clock.advance(Duration.ofMillis(4_000));
        visits.reported(browser("b"), List.of("j/0/0", "j/1/0", "j/9/9")); // one never sent here: ignored
        VisitStats s = log.workers.get("b");
        assertThat(s.speedSamples()).isEqualTo(2);
        assertThat(s.speed()).isCloseTo((0.75 + 1.5) / 2, within(1e-9)); // a running mean of the first samples
        clock.advance(Duration.ofMillis(10_000)); // the platform's history is re-read from the cluster every 10 s
        VisitOutlook fresh = visits.contact(browser("new-tab"));
        assertThat(fresh.speed()).isCloseTo(1.125, within(1e-9));
        assertThat(visits.contact(browser("b")).speed()).isCloseTo(1.125, within(1e-9));
    }

    @Test
    void report_resumedTaskFinishingAtOnce_countsAtMostFourTimesTheExpectedSpeed() {
        VisitOutlook o = visits.contact(browser("b"));
        visits.issued(browser("b"), o, Map.of("j/0/1", 300.0)); // resumed from the checkpoint of replica j/0/0
        clock.advance(Duration.ofMillis(1_000));
        visits.reported(browser("b"), List.of("j/0/1"));
        assertThat(log.workers.get("b").speed()).isEqualTo(Visits.MAX_SPEEDUP * Visits.DEFAULT_SPEED);
    }

    @Test
    void stats_runningMeanFirst_thenWeighted() {
        VisitStats s = VisitStats.NONE.afterVisit(100, 0.2).afterVisit(300, 0.2);
        assertThat(s.typicalMillis()).isEqualTo(200);
        VisitStats many = s;
        for (int i = 0; i < 20; i++) {
            many = many.afterVisit(200, 0.2);
        }
        assertThat(many.afterVisit(1200, 0.2).typicalMillis()).isEqualTo(400); // a fifth of the way
        assertThat(new VisitStats(2, 60_000, 0, 0).expectedMillis(300_000, 2)).isEqualTo(180_000);
        assertThat(VisitStats.NONE.afterSpeed(Double.NaN, 0.2)).isEqualTo(VisitStats.NONE);
    }
}
