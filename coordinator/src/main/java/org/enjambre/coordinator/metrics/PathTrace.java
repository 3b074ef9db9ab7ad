package org.enjambre.coordinator.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Marks along a one-unit job's path through a peer (submit, long-poll wake, issue, report, assimilation, result), with
 * their {@link System#nanoTime} and thread, while {@link #start started}: the bench's latency section turns it on for
 * its probe jobs and reads where the time between submit and result went (BENCHMARKS.md). Off, a mark is one volatile
 * read. Marks are kept until {@link #drain drained}: never leave it on under load.
 */
public final class PathTrace {
    /** One mark: what was reached, when ({@link System#nanoTime}), on which thread. */
    public record Mark(String label, long nanos, String thread) {
    }

    private static final ConcurrentLinkedQueue<Mark> MARKS = new ConcurrentLinkedQueue<>();
    private static volatile boolean on;

    private PathTrace() {
    }

    /** Starts keeping marks. */
    public static void start() {
        on = true;
    }

    /** Stops keeping marks and forgets those kept. */
    public static void stop() {
        on = false;
        MARKS.clear();
    }

    /** Notes that {@code label} was reached now, when started. */
    public static void mark(String label) {
        if (on) {
            MARKS.add(new Mark(label, System.nanoTime(), Thread.currentThread().getName()));
        }
    }

    /** The marks kept since the last drain, oldest first, and forgets them. */
    public static List<Mark> drain() {
        List<Mark> out = new ArrayList<>();
        for (Mark m = MARKS.poll(); m != null; m = MARKS.poll()) {
            out.add(m);
        }
        return out;
    }
}
