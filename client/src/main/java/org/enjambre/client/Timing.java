package org.enjambre.client;

import java.time.Duration;

/** Where the client's waiting gets the time and sleeps: the system's, or a test's. */
interface Timing {
    /** The system's monotonic clock and {@link Thread#sleep}. */
    Timing SYSTEM = new Timing() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(Duration d) throws InterruptedException {
            if (!d.isNegative() && !d.isZero()) {
                Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
            }
        }
    };

    /** A monotonic time in nanoseconds (only differences mean anything). */
    long nanoTime();

    /** Waits {@code d} (nothing for zero or less). */
    void sleep(Duration d) throws InterruptedException;
}
