package org.enjambre.coordinator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock for tests: the system's time plus an offset that a test moves forward, so deadlines pass
 * at once instead of after a real wait while everything else (rate limits, timings) keeps flowing.
 */
public final class TestClock extends Clock {
    private final AtomicLong offsetMillis;

    public TestClock() {
        this(0);
    }

    /** A clock {@code offsetMillis} ahead of the system's (a coordinator restarted after a downtime). */
    public TestClock(long offsetMillis) {
        this.offsetMillis = new AtomicLong(offsetMillis);
    }

    /** Moves the clock forward by {@code d}. */
    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("a test clock only moves forward, not by " + d);
        }
        offsetMillis.addAndGet(d.toMillis());
    }

    @Override
    public long millis() {
        return System.currentTimeMillis() + offsetMillis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (!zone.equals(ZoneOffset.UTC)) {
            throw new UnsupportedOperationException("a test clock is UTC only");
        }
        return this;
    }
}
