package org.enjambre.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when the client sleeps: every sleep is recorded and returns at once. */
final class FakeTiming implements Timing {
    private final AtomicLong nanos = new AtomicLong();
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public void sleep(Duration d) {
        sleeps.add(d);
        nanos.addAndGet(d.toNanos());
    }
}
