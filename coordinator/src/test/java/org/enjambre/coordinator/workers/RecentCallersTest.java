package org.enjambre.coordinator.workers;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The per-peer count of workers that called lately (the cluster view's "workers"), on explicit times. */
class RecentCallersTest {
    private final RecentCallers callers = new RecentCallers(60_000);

    @Test
    void count_distinctWorkersWithinTheWindow_repeatedCallsCountOnce() {
        callers.called("w-a", 1_000);
        callers.called("w-a", 2_000);
        callers.called("w-b", 3_000);
        assertThat(callers.count(3_000)).isEqualTo(2);
    }

    @Test
    void count_forgetsAWorkerWhoseLastCallLeftTheWindow_keepsOneThatCalledAgain() {
        callers.called("w-a", 0);
        callers.called("w-b", 0);
        callers.called("w-b", 30_000);
        assertThat(callers.count(60_000)).as("both within 60 s").isEqualTo(2);
        assertThat(callers.count(60_001)).as("w-a's last call is 60.001 s old").isEqualTo(1);
        assertThat(callers.count(90_001)).isZero();
    }

    @Test
    void aLateArrivingOlderCall_doesNotMoveTheLastCallBack() {
        callers.called("w-a", 50_000);
        callers.called("w-a", 10_000);
        assertThat(callers.count(100_000)).isEqualTo(1);
    }

    @Test
    void aWindowThatIsNotPositive_isRefused() {
        assertThatThrownBy(() -> new RecentCallers(0)).hasMessageContaining("windowMillis must be positive");
    }
}
