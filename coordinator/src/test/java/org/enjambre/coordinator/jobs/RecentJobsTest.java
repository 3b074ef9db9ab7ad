package org.enjambre.coordinator.jobs;

import com.hazelcast.map.IMap;
import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.Harness;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.sched.ManualClock;
import org.enjambre.workunits.model.JobState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The scheduler's recent job records: read from the map once, kept fresh by events and this peer's own changes. */
class RecentJobsTest {
    @TempDir
    Path dir;

    static JobRecord job(String id, JobState state, long version) {
        return new JobRecord(id, "name " + id, "noop", "{}", 10, 0, state, 1_000, 0, 0, null, null, version);
    }

    final Map<String, JobRecord> map = new HashMap<>();
    final AtomicInteger reads = new AtomicInteger();
    final ManualClock clock = new ManualClock(1_000_000);
    final RecentJobs recent = new RecentJobs(id -> {
        reads.incrementAndGet();
        return map.get(id);
    }, clock);

    @Test
    void readsTheMapOncePerSecond_notOnEveryLookUp() {
        map.put("j1", job("j1", JobState.RUNNING, 2));
        for (int i = 0; i < 100; i++) {
            assertThat(recent.find("j1")).get().extracting(JobRecord::state).isEqualTo(JobState.RUNNING);
        }
        assertThat(reads).hasValue(1);

        map.put("j1", job("j1", JobState.CANCELLED, 3)); // a change whose event was lost
        clock.advance(Duration.ofMillis(RecentJobs.MAX_AGE_MS - 1));
        assertThat(recent.find("j1")).get().extracting(JobRecord::state).isEqualTo(JobState.RUNNING);
        clock.advance(Duration.ofMillis(1));
        assertThat(recent.find("j1")).get().extracting(JobRecord::state).as("read again after a second").isEqualTo(JobState.CANCELLED);
        assertThat(reads).hasValue(2);
    }

    @Test
    void aNewerRecordSeenReplacesTheKnownOne_anOlderOneNever() {
        map.put("j1", job("j1", JobState.QUEUED, 1));
        assertThat(recent.find("j1")).get().extracting(JobRecord::state).isEqualTo(JobState.QUEUED);

        assertThat(recent.seen(job("j1", JobState.RUNNING, 2)).state()).isEqualTo(JobState.RUNNING);
        assertThat(recent.find("j1")).get().extracting(JobRecord::state).isEqualTo(JobState.RUNNING);
        assertThat(recent.seen(job("j1", JobState.QUEUED, 1)).state()).as("a late, older record").isEqualTo(JobState.RUNNING);
        assertThat(recent.find("j1")).get().extracting(JobRecord::state).isEqualTo(JobState.RUNNING);

        clock.advance(Duration.ofMillis(RecentJobs.MAX_AGE_MS)); // the map still holds version 1: a read that lags
        assertThat(recent.find("j1")).get().extracting(JobRecord::state).as("never older than what was seen").isEqualTo(JobState.RUNNING);
        assertThat(reads).hasValue(2);
    }

    @Test
    void anUnknownJobIsEmpty_andRecordsNotReadForLongAreDropped() {
        assertThat(recent.find("nope")).isEmpty();
        assertThat(recent.find("nope")).isEmpty();
        assertThat(reads).as("absence is not remembered").hasValue(2);

        map.put("old", job("old", JobState.COMPLETED, 5));
        map.put("new", job("new", JobState.RUNNING, 1));
        recent.find("old");
        clock.advance(Duration.ofMillis(10 * RecentJobs.MAX_AGE_MS));
        recent.find("new");
        assertThat(recent.size()).as("only the job read lately is held").isEqualTo(1);
    }

    /** On a real coordinator's map: a change made anywhere reaches the record without a second read. */
    @Test
    void theMapsEntryEventsKeepTheRecordFresh() {
        try (Coordinator c = Coordinator.start(Harness.options(dir))) {
            IMap<String, JobRecord> jobs = c.node().jobs();
            ManualClock frozen = new ManualClock(System.currentTimeMillis()); // never a second old: only events refresh
            RecentJobs live = RecentJobs.of(jobs, frozen);
            jobs.set("jx", job("jx", JobState.QUEUED, 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> live.find("jx").isPresent());

            jobs.set("jx", job("jx", JobState.RUNNING, 2));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> live.find("jx").map(JobRecord::state).orElse(null) == JobState.RUNNING);
            jobs.set("jx", job("jx", JobState.CANCELLED, 3));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> live.find("jx").map(JobRecord::state).orElse(null) == JobState.CANCELLED);

            jobs.delete("jx");
            await().atMost(Duration.ofSeconds(10)).until(() -> live.find("jx").isEmpty());
        }
    }
}
