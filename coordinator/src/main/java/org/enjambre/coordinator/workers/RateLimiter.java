package org.enjambre.coordinator.workers;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A token bucket per key (a client address): {@code burst} at once, then {@code perMinute}. Thread-safe. */
public final class RateLimiter {
    private final Clock clock;
    private final double perMilli;
    private final double burst;
    private final Map<String, double[]> buckets = new ConcurrentHashMap<>();

    public RateLimiter(Clock clock, double perMinute, int burst) {
        if (perMinute <= 0 || burst < 1) {
            throw new IllegalArgumentException("a rate limit needs perMinute > 0 and burst >= 1");
        }
        this.clock = clock;
        this.perMilli = perMinute / 60_000.0;
        this.burst = burst;
    }

    /** Takes one token for {@code key}; false when its bucket is empty. */
    public boolean tryAcquire(String key) {
        long now = clock.millis();
        double[] b = buckets.computeIfAbsent(key, k -> new double[]{burst, now});
        synchronized (b) {
            b[0] = Math.min(burst, b[0] + (now - b[1]) * perMilli);
            b[1] = now;
            if (b[0] >= 1) {
                b[0] -= 1;
                return true;
            }
            return false;
        }
    }

    /** Milliseconds until {@code key} has a token again (0 when it has one). */
    public long retryAfterMillis(String key) {
        double[] b = buckets.get(key);
        if (b == null) {
            return 0;
        }
        synchronized (b) {
            return b[0] >= 1 ? 0 : (long) Math.ceil((1 - b[0]) / perMilli);
        }
    }
}
