package org.enjambre.coordinator.jobs;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.store.JdbcStore;
import org.enjambre.coordinator.store.Store;
import org.enjambre.workunits.model.JobState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The start check on a real store: unfinished jobs that do not fit the heap together fail, newest first. */
class UnloadableJobsTest {
    @TempDir
    Path dir;

    private static JobRecord job(String id, int units, long submittedAt) {
        String spec = "{\"name\":\"" + id + "\",\"app\":\"noop\",\"input\":\"x\",\"workUnits\":" + units
                + ",\"redundancy\":{\"replicas\":1,\"quorum\":1,\"maxErrors\":3,\"maxResults\":6,\"adaptive\":false},"
                + "\"deadlineSeconds\":600,\"priority\":0}";
        return new JobRecord(id, id, "noop", spec, units, 0, JobState.QUEUED, submittedAt, 0, 0, null, null, 1);
    }

    @Test
    void fail_jobsBeyondTheHeap_failsTheNewerOnesWithTheReason_andKeepsTheRest() {
        Clock clock = Clock.fixed(Instant.ofEpochMilli(5_000), ZoneOffset.UTC);
        long maxHeap = 100L << 20; // 80 MiB for unfinished jobs: 100,000 units (76 MiB) fit, a second such job does not
        try (Store store = JdbcStore.h2(dir)) {
            store.writeNow(new Store.Batch(List.of(), List.of(), List.of(
                    job("j-old", 100_000, 1), job("j-new", 100_000, 2), job("j-small", 1_000, 3))));

            List<JobRecord> failed = UnloadableJobs.fail(store, maxHeap, clock);

            assertThat(failed).extracting(JobRecord::id).containsExactly("j-new");
            JobRecord stored = store.job("j-new").orElseThrow();
            assertThat(stored.state()).isEqualTo(JobState.FAILED);
            assertThat(stored.finishedAt()).isEqualTo(5_000);
            assertThat(stored.failure()).isEqualTo("the job could not be loaded when the coordinator started: its 100000 units "
                    + "need about 76 MiB of heap, and this peer has 3 MiB for the unfinished jobs it loads at start (80% of -Xmx)");
            assertThat(store.job("j-old").orElseThrow().state()).isEqualTo(JobState.QUEUED);
            assertThat(store.job("j-small").orElseThrow().state()).isEqualTo(JobState.QUEUED);
            // a second start finds nothing more to fail
            assertThat(UnloadableJobs.fail(store, maxHeap, clock)).isEmpty();
        }
    }
}
