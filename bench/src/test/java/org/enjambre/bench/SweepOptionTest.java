package org.enjambre.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code -Dbench.sweep}: the simulated-worker configurations a run measures. */
class SweepOptionTest {
    @Test
    void parsesWorkersByBatch() {
        assertThat(Bench.sweep("8x16, 8x256")).isDeepEqualTo(new int[][]{{8, 16}, {8, 256}});
    }

    @Test
    void refusesWhatItCannotRun_namingThePart() {
        assertThatThrownBy(() -> Bench.sweep("8x16,eight")).hasMessageContaining("'eight'");
        assertThatThrownBy(() -> Bench.sweep("8x512")).hasMessageContaining("batch 1..256").hasMessageContaining("'8x512'");
        assertThatThrownBy(() -> Bench.sweep("0x16")).hasMessageContaining("workers must be >= 1");
    }
}
