package org.enjambre.worker.protocol;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter between {@code min} and {@code max}, for a list of coordinator URLs
 * tried round-robin: a failure moves to the next URL at once, and only a failure that completes a
 * round of every URL waits. The wait after round {@code n} is drawn uniformly from
 * {@code [min·2^(n-1), min·2^n]}, clipped to {@code [max/2, max]} once that reaches {@code max};
 * it is never below {@code min} nor above {@code max}. A success starts over.
 *
 * <p>Not thread-safe: each loop that talks to coordinators keeps its own.
 */
public final class Backoff {
    private final long minNanos;
    private final long maxNanos;
    private final RandomGenerator random;
    private int failures;

    public Backoff(Duration min, Duration max, RandomGenerator random) {
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
        this.random = Objects.requireNonNull(random, "random");
        if (minNanos <= 0 || maxNanos < minNanos) {
            throw new IllegalArgumentException("backoff needs 0 < min <= max, got min " + min + ", max " + max);
        }
    }

    /**
     * The wait before retry round {@code round} (1 = after the first failed round), with jitter
     * {@code r} in {@code [0, 1)}. A pure function.
     */
    public static Duration delay(Duration min, Duration max, int round, double r) {
        double minN = min.toNanos();
        double maxN = max.toNanos();
        double base = minN * Math.pow(2, Math.min(Math.max(round, 1) - 1, 62));
        double upper = Math.min(maxN, 2 * base);
        double lower = Math.max(minN, Math.min(base, upper / 2));
        return Duration.ofNanos((long) (lower + r * (upper - lower)));
    }

    /** Records a failed call among {@code urls} coordinator URLs and returns how long to wait before the next. */
    public Duration failure(int urls) {
        failures++;
        if (failures % Math.max(urls, 1) != 0) {
            return Duration.ZERO;
        }
        return delay(Duration.ofNanos(minNanos), Duration.ofNanos(maxNanos), failures / Math.max(urls, 1), random.nextDouble());
    }

    /** Records a successful call: the next failure starts from the shortest wait again. */
    public void success() {
        failures = 0;
    }

    /** Failed calls since the last success. */
    public int failures() {
        return failures;
    }
}
