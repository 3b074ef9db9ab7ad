package org.enjambre.worker.buffer;

import org.enjambre.worker.protocol.AssignedTask;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.PriorityQueue;
import java.util.function.LongSupplier;

/**
 * The tasks a worker holds (queued or running) and how much more to fetch, after BOINC's
 * {@code work_buf_min}/{@code work_buf_max}: when the estimated work held falls below
 * {@link Settings#min} seconds per core, fetch enough to reach {@link Settings#max} seconds per core,
 * at most {@link Settings#maxFetch} tasks per fetch and {@link Settings#maxHeld} held in all (tasks so short
 * that the count binds are fetched a whole {@code maxFetch} at a time, once that much room is free).
 *
 * <p>Estimates come from {@link RunTimeEstimates}. A task of an app never seen counts as {@code min}
 * seconds (so a worker that knows nothing fetches one task per free core, as before, and learns);
 * once a task finished, a fetch asks for as many tasks as the typical run time fits in the gap.
 *
 * <p>Tasks run earliest deadline first (the executor's order); {@link #cannotMeetDeadline} simulates
 * that schedule on the cores and names the queued tasks that would finish after their deadline, so
 * they are dropped (and released) rather than computed in vain. Unknown run times never condemn a task.
 *
 * <p>Thread-safe. Time: deadlines on the injected clock, run times on the injected ticker (nanoseconds).
 */
public final class WorkBuffer {
    /**
     * @param min      fetch when less work than this per core is held
     * @param max      fill up to this much work per core
     * @param maxFetch most tasks asked for in one fetch (the coordinator allows 256)
     * @param maxHeld  most tasks held at once, whatever their estimates
     */
    public record Settings(Duration min, Duration max, int maxFetch, int maxHeld) {
        public Settings {
            Objects.requireNonNull(min, "min");
            Objects.requireNonNull(max, "max");
            if (min.isNegative() || max.compareTo(min) < 0 || max.isZero()) {
                throw new IllegalArgumentException("the work buffer needs 0 <= min <= max and max > 0, got min "
                        + min.toMillis() / 1000.0 + " s, max " + max.toMillis() / 1000.0 + " s");
            }
            if (maxFetch < 1 || maxHeld < maxFetch) {
                throw new IllegalArgumentException("the work buffer needs 1 <= maxFetch <= maxHeld, got " + maxFetch + ", " + maxHeld);
            }
        }
    }

    private final Settings settings;
    private final int cores;
    private final RunTimeEstimates estimates;
    private final Clock clock;
    private final LongSupplier ticker;
    private final Map<String, Held> held = new LinkedHashMap<>();

    private static final class Held {
        final AssignedTask task;
        long startedNanos = -1;

        Held(AssignedTask task) {
            this.task = task;
        }
    }

    public WorkBuffer(Settings settings, int cores, RunTimeEstimates estimates, Clock clock, LongSupplier ticker) {
        if (cores < 1) {
            throw new IllegalArgumentException("cores must be at least 1, got " + cores);
        }
        this.settings = Objects.requireNonNull(settings, "settings");
        this.cores = cores;
        this.estimates = Objects.requireNonNull(estimates, "estimates");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /** Holds {@code task} (queued until {@link #started}). */
    public synchronized void add(AssignedTask task) {
        held.putIfAbsent(task.id(), new Held(task));
    }

    /** Task {@code id} began to run now. */
    public synchronized void started(String id) {
        Held h = held.get(id);
        if (h != null) {
            h.startedNanos = ticker.getAsLong();
        }
    }

    /** Task {@code id} left (finished, dropped or stopped); a finished one teaches its run time when {@code learn}. */
    public synchronized void finished(String id, boolean learn) {
        Held h = held.remove(id);
        if (h != null && learn && h.startedNanos >= 0) {
            estimates.learn(h.task.app(), h.task.cost(), (ticker.getAsLong() - h.startedNanos) / 1e9);
        }
    }

    /** Tasks held, queued or running. */
    public synchronized int held() {
        return held.size();
    }

    /** The estimated seconds of work held, what is left of running tasks included; unknown tasks count {@code min}. */
    public synchronized double bufferedSeconds() {
        long now = ticker.getAsLong();
        double total = 0;
        for (Held h : held.values()) {
            total += remaining(h, now, settings.min().toNanos() / 1e9);
        }
        return total;
    }

    /**
     * Whether {@link #toFetch} may be above 0 now, in constant time: false when the count alone rules a fetch out
     * (every core has a task and less than a whole fetch fits). Lets a finishing task skip waking the fetcher.
     */
    public synchronized boolean mayFetch() {
        int room = settings.maxHeld() - held.size();
        return room > 0 && (held.size() < cores || room >= settings.maxFetch());
    }

    /** How many tasks to ask for now; 0 when the buffer holds enough. */
    public synchronized int toFetch() {
        int room = settings.maxHeld() - held.size();
        if (room <= 0) {
            return 0;
        }
        double buffered = bufferedSeconds();
        double minSeconds = settings.min().toNanos() / 1e9;
        if (held.size() >= cores && (buffered >= minSeconds * cores || room < settings.maxFetch())) {
            return 0; // enough work by time, or (tiny tasks) wait until a whole fetch fits
        }
        OptionalDouble typical = estimates.typical();
        if (typical.isEmpty()) {
            return Math.min(room, Math.max(0, cores - held.size()));
        }
        double gap = settings.max().toNanos() / 1e9 * cores - buffered;
        double wanted = Math.ceil(gap / Math.max(typical.getAsDouble(), 1e-6));
        return (int) Math.max(1, Math.min(wanted, Math.min(settings.maxFetch(), room)));
    }

    /**
     * The queued tasks that, run earliest deadline first on {@code cores} cores after what runs now,
     * would finish after their deadline by their estimates. Tasks without an estimate are never named.
     */
    public synchronized List<String> cannotMeetDeadline() {
        long nowNanos = ticker.getAsLong();
        long nowMillis = clock.millis();
        PriorityQueue<Double> coreFree = new PriorityQueue<>();
        List<Held> queued = new ArrayList<>();
        for (Held h : held.values()) {
            if (h.startedNanos >= 0) {
                coreFree.add(remaining(h, nowNanos, 0));
            } else {
                queued.add(h);
            }
        }
        while (coreFree.size() < cores) {
            coreFree.add(0.0);
        }
        queued.sort(Comparator.comparingLong((Held h) -> h.task.deadlineEpochMillis()));
        List<String> late = new ArrayList<>();
        for (Held h : queued) {
            OptionalDouble estimate = estimates.estimate(h.task.app(), h.task.cost());
            double start = coreFree.poll();
            double finish = start + estimate.orElse(0);
            if (estimate.isPresent() && nowMillis + finish * 1000 > h.task.deadlineEpochMillis()) {
                late.add(h.task.id());
                coreFree.add(start); // it will not run: the core stays free for the next
            } else {
                coreFree.add(finish);
            }
        }
        return late;
    }

    /** Seconds of work left in {@code h}: its estimate (or {@code unknown}), less what it has run. */
    private double remaining(Held h, long nowNanos, double unknown) {
        double estimate = estimates.estimate(h.task.app(), h.task.cost()).orElse(unknown);
        if (h.startedNanos < 0) {
            return estimate;
        }
        return Math.max(0, estimate - (nowNanos - h.startedNanos) / 1e9);
    }
}
