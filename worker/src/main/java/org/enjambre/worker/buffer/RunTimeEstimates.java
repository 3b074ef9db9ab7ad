package org.enjambre.worker.buffer;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Run times learned from finished tasks, per app: an exponentially weighted moving average of the
 * seconds per unit of the task's {@code cost} (when the coordinator sent a positive cost) and of the
 * seconds per task, plus the same over every app (to size a fetch before knowing what it brings).
 * An app never seen has no estimate. Thread-safe.
 */
public final class RunTimeEstimates {
    /** Weight of the newest run time in the averages. */
    static final double ALPHA = 0.2;

    private final Map<String, Average> perCost = new HashMap<>();
    private final Map<String, Average> perTask = new HashMap<>();
    private final Average typical = new Average();

    /** Learns that a task of {@code app} with {@code cost} ran {@code seconds}. */
    public synchronized void learn(String app, double cost, double seconds) {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            return;
        }
        perTask.computeIfAbsent(app, a -> new Average()).add(seconds);
        if (cost > 0 && Double.isFinite(cost)) {
            perCost.computeIfAbsent(app, a -> new Average()).add(seconds / cost);
        }
        typical.add(seconds);
    }

    /** The expected run time in seconds of a task of {@code app} with {@code cost}; empty for an app never seen. */
    public synchronized OptionalDouble estimate(String app, double cost) {
        Average byCost = perCost.get(app);
        if (byCost != null && cost > 0 && Double.isFinite(cost)) {
            return OptionalDouble.of(byCost.value * cost);
        }
        Average byTask = perTask.get(app);
        return byTask == null ? OptionalDouble.empty() : OptionalDouble.of(byTask.value);
    }

    /** The average run time of a task over every app; empty before the first one finished. */
    public synchronized OptionalDouble typical() {
        return typical.count == 0 ? OptionalDouble.empty() : OptionalDouble.of(typical.value);
    }

    /** An exponentially weighted moving average; the first sample is taken as it is. */
    private static final class Average {
        double value;
        long count;

        void add(double sample) {
            value = count == 0 ? sample : value + ALPHA * (sample - value);
            count++;
        }
    }
}
