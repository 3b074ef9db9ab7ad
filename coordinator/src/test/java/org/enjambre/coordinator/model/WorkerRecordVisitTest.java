package org.enjambre.coordinator.model;

import org.enjambre.coordinator.store.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A worker record's visit history as the store keeps it (JSON): round trip, rows written before it existed, copies. */
class WorkerRecordVisitTest {
    private static final VisitStats HISTORY = new VisitStats(3, 420_000, 0.45, 12);

    private static WorkerRecord record(VisitStats v) {
        return new WorkerRecord("w-abc", "hash", "tab", "browser", 4, 256, List.of("primes"), null, null, 1, 2, 3.5, 4, 0,
                1, 5, 4, false, 0, 0, 7, v);
    }

    @Test
    void json_roundTrip_keepsTheVisitHistory() {
        WorkerRecord w = record(HISTORY);
        assertThat(Json.read(Json.write(w), WorkerRecord.class)).isEqualTo(w);
    }

    @Test
    void json_rowWrittenBeforeVisitsWereKept_readsAsNoHistory() {
        String old = Json.write(record(HISTORY)).replaceFirst(",\"visit\":\\{[^}]*}", "");
        assertThat(old).doesNotContain("visit");
        WorkerRecord w = Json.read(old, WorkerRecord.class);
        assertThat(w.visit()).isEqualTo(VisitStats.NONE);
        assertThat(w.credit()).isEqualTo(3.5);
    }

    @Test
    void historyChanges_keepTheVisit_andBumpTheVersion() {
        WorkerRecord w = record(HISTORY);
        assertThat(w.seen(99).visit()).isEqualTo(HISTORY);
        assertThat(w.plus(WorkerRecord.Stats.NONE.plusValid(1), 99).visit()).isEqualTo(HISTORY);
        WorkerRecord next = w.withVisit(HISTORY.afterVisit(60_000, VisitStats.WORKER_WEIGHT));
        assertThat(next.version()).isEqualTo(w.version() + 1);
        assertThat(next.visit().visits()).isEqualTo(4);
    }
}
