package org.enjambre.workunits.trust;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per key (a client address, an account): at most {@code capacity} operations in a
 * burst, then one more every {@code refillMillis}. The coordinator uses it to limit worker
 * registrations (Sybil attacks) and answers {@code 429} with {@code Retry-After} when refused.
 *
 * <p>Thread-safe; time comes from the clock passed in (epoch or monotonic milliseconds), never from
 * the system. Idle keys cost memory until {@link #evictIdle} drops them.
 */
public final class RateLimiter {
    private final int capacity;
    private final long refillMillis;
    private final LongSupplier clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /**
     * A bucket's fill, in milliseconds of refill (one token is {@code refillMillis} of it, so the arithmetic
     * is exact), and when it was measured.
     */
    private record Bucket(long level, long at) {
    }

    /** A limiter allowing bursts of {@code capacity} and one more operation every {@code refillMillis}, on {@code clock}. */
    public RateLimiter(int capacity, long refillMillis, LongSupplier clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity (" + capacity + ") must be at least 1");
        }
        if (refillMillis < 1 || refillMillis > Long.MAX_VALUE / 4 / capacity) {
            throw new IllegalArgumentException("refillMillis (" + refillMillis + ") must be at least 1 and below "
                    + Long.MAX_VALUE / 4 / capacity);
        }
        this.capacity = capacity;
        this.refillMillis = refillMillis;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The answer to {@link #tryAcquire}: granted, or refused until {@code retryAfterMillis} have passed. */
    public record Permit(boolean granted, long retryAfterMillis) {
    }

    /** Takes one token from {@code key}'s bucket if there is one. */
    public Permit tryAcquire(String key) {
        Objects.requireNonNull(key, "key");
        long now = clock.getAsLong();
        Permit[] out = new Permit[1];
        buckets.compute(key, (k, b) -> {
            long level = level(b, now);
            if (level >= refillMillis) {
                out[0] = new Permit(true, 0);
                return new Bucket(level - refillMillis, now);
            }
            out[0] = new Permit(false, refillMillis - level);
            return new Bucket(level, now);
        });
        return out[0];
    }

    /** Puts back one token taken from {@code key}'s bucket (the operation turned out not to count); never above full. */
    public void giveBack(String key) {
        Objects.requireNonNull(key, "key");
        long now = clock.getAsLong();
        buckets.computeIfPresent(key, (k, b) -> new Bucket(Math.min(full(), level(b, now) + refillMillis), now));
    }

    /** The whole tokens {@code key} has now, without taking one. */
    public int available(String key) {
        return (int) (level(buckets.get(key), clock.getAsLong()) / refillMillis);
    }

    /** Drops the buckets that are full again (they behave exactly like new ones); returns how many. */
    public int evictIdle() {
        long now = clock.getAsLong();
        int[] n = new int[1];
        buckets.entrySet().removeIf(e -> {
            boolean full = level(e.getValue(), now) >= full();
            if (full) {
                n[0]++;
            }
            return full;
        });
        return n[0];
    }

    private long full() {
        return capacity * refillMillis;
    }

    private long level(Bucket b, long now) {
        if (b == null) {
            return full();
        }
        long elapsed = Math.max(0, now - b.at()); // a clock going backwards refills nothing
        return elapsed >= full() ? full() : Math.min(full(), b.level() + elapsed);
    }
}
