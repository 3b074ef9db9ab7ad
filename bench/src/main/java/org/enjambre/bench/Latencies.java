package org.enjambre.bench;

import java.util.Arrays;

/**
 * A summary of measured durations: count, p50, p99 and max in milliseconds, by the nearest-rank method.
 *
 * @param count how many durations were measured
 */
public record Latencies(int count, double p50Ms, double p99Ms, double maxMs) {

    /** Summarizes durations given in nanoseconds; the array is not changed. */
    public static Latencies ofNanos(long[] nanos) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("no durations to summarize");
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new Latencies(sorted.length, nearestRank(sorted, 50) / 1e6, nearestRank(sorted, 99) / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }

    /**
     * The {@code p}-th percentile of ascending {@code sorted} values by the nearest-rank method: the smallest
     * value such that at least {@code p} percent of the values are at or below it. {@code p} is in (0, 100].
     */
    public static long nearestRank(long[] sorted, double p) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("the percentile of no values is undefined");
        }
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile " + p + " is not in (0, 100]");
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(1, rank) - 1];
    }
}
