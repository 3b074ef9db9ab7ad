package org.enjambre.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LatenciesTest {

    @Test
    void nearestRank_knownAnswers() {
        long[] v = {15, 20, 35, 40, 50};
        assertThat(Latencies.nearestRank(v, 5)).isEqualTo(15);
        assertThat(Latencies.nearestRank(v, 30)).isEqualTo(20);
        assertThat(Latencies.nearestRank(v, 40)).isEqualTo(20);
        assertThat(Latencies.nearestRank(v, 50)).isEqualTo(35);
        assertThat(Latencies.nearestRank(v, 100)).isEqualTo(50);
    }

    @Test
    void nearestRank_p99OfHundredIsTheNinetyNinthValue() {
        long[] v = new long[100];
        for (int i = 0; i < v.length; i++) {
            v[i] = i + 1;
        }
        assertThat(Latencies.nearestRank(v, 99)).isEqualTo(99);
        assertThat(Latencies.nearestRank(v, 50)).isEqualTo(50);
    }

    @Test
    void nearestRank_singleValueIsEveryPercentile() {
        assertThat(Latencies.nearestRank(new long[]{7}, 0.1)).isEqualTo(7);
        assertThat(Latencies.nearestRank(new long[]{7}, 99)).isEqualTo(7);
    }

    @Test
    void nearestRank_rejectsEmptyInputAndPercentilesOutOfRange() {
        assertThatThrownBy(() -> Latencies.nearestRank(new long[0], 50)).hasMessageContaining("no values");
        assertThatThrownBy(() -> Latencies.nearestRank(new long[]{1}, 0)).hasMessageContaining("not in (0, 100]");
        assertThatThrownBy(() -> Latencies.nearestRank(new long[]{1}, 100.5)).hasMessageContaining("not in (0, 100]");
    }

    @Test
    void ofNanos_sortsACopyAndConvertsToMilliseconds() {
        long[] nanos = {3_000_000, 1_000_000, 2_000_000, 10_000_000};
        Latencies l = Latencies.ofNanos(nanos);
        assertThat(l.count()).isEqualTo(4);
        assertThat(l.p50Ms()).isEqualTo(2.0);
        assertThat(l.p99Ms()).isEqualTo(10.0);
        assertThat(l.maxMs()).isEqualTo(10.0);
        assertThat(nanos).containsExactly(3_000_000, 1_000_000, 2_000_000, 10_000_000);
    }

    @Test
    void bucketOf_coordinatorsOwnPercentiles_fromCumulativeBucketCounts() {
        // 100 fetches: 50 within 1,000 ms, 98 within 1,200 ms, 99 within 1,300 ms, all within 20 s.
        long[] under = new long[Bench.POLL_BOUNDS.length];
        for (int i = 0; i < under.length; i++) {
            long bound = Bench.POLL_BOUNDS[i].toMillis();
            under[i] = bound < 1200 ? 50 : bound < 1300 ? 98 : 99;
        }
        under[under.length - 1] = 100;
        assertThat(Bench.bucketOf(under, 100, 0.50)).isEqualTo("<= 1,000 ms");
        assertThat(Bench.bucketOf(under, 100, 0.99)).isEqualTo("<= 1,300 ms");
        assertThat(Bench.bucketOf(new long[under.length], 100, 0.99)).isEqualTo("> 20,000 ms");
    }
}
