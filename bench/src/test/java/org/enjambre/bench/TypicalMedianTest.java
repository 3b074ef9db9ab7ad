package org.enjambre.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The typical figure is the median of its runs, and the notes name every run (eleventh session). */
class TypicalMedianTest {
    /** A run of {@code tasks} round-trips in 5 s using {@code cpuSeconds} of the coordinator's CPU. */
    private static Results.Throughput run(long tasks, double cpuSeconds) {
        return new Results.Throughput(8, 16, (int) (tasks / 2), tasks, 5.0, tasks / 16, 8, 0, cpuSeconds, 0.5, 0);
    }

    @Test
    void median_isTheMiddleRate_notTheBestNorTheLast() {
        Results.Throughput low = run(96_420, 7.3);
        Results.Throughput high = run(121_025, 7.6);
        Results.Throughput middle = run(110_000, 7.5);
        assertThat(Bench.median(List.of(high, low, middle))).isSameAs(middle);
        assertThat(Bench.median(List.of(low))).isSameAs(low);
        assertThat(Bench.median(List.of(high, low))).as("two runs: the lower").isSameAs(low);
    }

    @Test
    void note_namesEveryRunInOrder_withItsCpu() {
        String note = Bench.typicalRuns(List.of(run(100_000, 7.0), run(120_000, 7.2), run(110_000, 7.7)));
        assertThat(note).isEqualTo("the typical figure (8 x batch 16) is the median of 3 runs: 20,000 round-trips/s (70 us), "
                + "24,000 round-trips/s (60 us), 22,000 round-trips/s (70 us) (coordinator CPU per round-trip in brackets).");
    }
}
