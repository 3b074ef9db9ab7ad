package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.trust.Reputation.Evidence;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerDeltasTest {
    @Test
    void aBatch_sumsCreditAndReports_keepsEachWorkersEvidenceInOrder() {
        WorkerDeltas d = new WorkerDeltas();
        for (int i = 0; i < 1_000; i++) {
            d.reported("a");
            d.valid("a", 0.5);
        }
        d.evidence("a", Evidence.SPOT_CHECK_PASSED);
        d.evidence("b", Evidence.ERROR);
        d.reported("b");
        d.evidence("b", Evidence.INVALID);

        Map<String, WorkerRecord.Stats> stats = d.stats();

        assertThat(stats).containsOnlyKeys("a", "b");
        assertThat(stats.get("a").credit()).isEqualTo(500.0);
        assertThat(stats.get("a").reported()).isEqualTo(1_000);
        assertThat(stats.get("a").evidence()).hasSize(1_001).endsWith(Evidence.SPOT_CHECK_PASSED);
        assertThat(stats.get("a").spotPassed()).isEqualTo(1);
        assertThat(stats.get("b")).isEqualTo(new WorkerRecord.Stats(0, 1, List.of(Evidence.ERROR, Evidence.INVALID)));
        assertThat(d.get("b")).isEqualTo(stats.get("b"));
        assertThat(d.get("nobody")).as("a worker the batch says nothing of").isNull();
    }
}
