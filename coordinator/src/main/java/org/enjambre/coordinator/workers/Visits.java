package org.enjambre.coordinator.workers;

import org.enjambre.coordinator.model.VisitOutlook;
import org.enjambre.coordinator.model.VisitStats;
import org.enjambre.coordinator.model.WorkerRecord;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This peer's view of the visits of browser workers (issue 18): it learns how long a browser stays and how fast it
 * computes, for the scheduler to size its units ({@code sched/VisitPlanner}).
 *
 * <p>A visit runs from a browser's first contact (fetch, report or sync) after a gap to its last contact before the
 * next gap; the gap is {@link #GAP_MILLIS} of silence after the later of its last contact and the expected end of
 * the tasks it holds (a tab computing a unit does not call). A page that goes away releases its tasks
 * ({@code work/sync} with nothing held): the visit then ends with that call unless it calls again within the gap (a
 * reload). Closed visits and measured speeds go to the worker's record and its platform's history through the
 * {@link Log}. A speed is measured per task: its cost over the time from its issue to its result (at most
 * {@link #MAX_SPEEDUP} times the speed expected at its issue).
 *
 * <p>Invariants: only workers of platform {@link #PLATFORM} are tracked; an open visit is closed at most once (by
 * the next contact after its gap or by {@link #sweep}, whichever comes first, under the visit's lock). State is in
 * memory per peer: a browser talks to its own coordinator (the page's origin); one that moved between peers would
 * have its visits split, which only makes them look shorter (units smaller). Thread-safe; blocks only in the log.
 */
public final class Visits {
    /** The platform a browser registers with (the volunteer page). */
    public static final String PLATFORM = "browser";
    /** Silence after which a visit is over. The page calls at least every 10 s while it waits for work. */
    public static final long GAP_MILLIS = 60_000;
    /** A new tab's expected visit before any browser's visit was seen (CrowdProcess measured about 7 minutes). */
    public static final long DEFAULT_VISIT_MILLIS = 300_000;
    /** A new tab's speed before any browser was measured: half a typical core (CrowdProcess's measure). */
    public static final double DEFAULT_SPEED = 0.5;
    /** How many visits the platform's history counts for in a browser's expected visit. */
    public static final int PRIOR_VISITS = 2;
    /**
     * A measured speed counts as at most this many times the speed expected when the task was issued: a task resumed
     * from a checkpoint of an earlier replica (a returning visitor) finishes in a fraction of its run time.
     */
    public static final double MAX_SPEEDUP = 4;
    /** Tasks remembered per open visit (for their speed), at most. */
    private static final int MAX_TASKS = 1024;
    /** How long a platform's history read from the cluster is reused. */
    private static final long PLATFORM_CACHE_MILLIS = 10_000;

    /** Where closed visits and measured speeds go: the worker's record (durable) and its platform's history. */
    public interface Log {
        /** Adds a visit to the worker's history and its platform's; the worker's new history (NONE without a record). */
        VisitStats visited(String workerId, String platform, long millis);

        /** Adds measured speeds to the worker's history and its platform's; the worker's new history. */
        VisitStats measured(String workerId, String platform, double[] samples);

        /** The platform's history across the cluster. */
        VisitStats platform(String platform);
    }

    private record Issued(long at, double cost, double expectedSpeed) {
    }

    private record Cached(VisitStats stats, long at) {
    }

    /** One browser's current visit. Guarded by itself. */
    private static final class Open {
        final String workerId;
        final String platform;
        long start;
        long lastContact;
        /** When the tasks it holds are expected to be done (0: none). */
        long busyUntil;
        /** Set once closed: the next contact opens a new visit. */
        boolean closed;
        final Map<String, Issued> tasks = new HashMap<>();

        Open(String workerId, String platform, long now) {
            this.workerId = workerId;
            this.platform = platform;
            this.start = now;
            this.lastContact = now;
        }

        long closesAt() {
            return Math.max(lastContact, busyUntil) + GAP_MILLIS;
        }
    }

    private final Log log;
    private final Clock clock;
    private final Map<String, Open> open = new ConcurrentHashMap<>();
    private final Map<String, Cached> platforms = new ConcurrentHashMap<>();

    public Visits(Log log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    /** Whether visits of {@code w} are tracked and its units sized for them. */
    public static boolean tracked(WorkerRecord w) {
        return PLATFORM.equals(w.platform());
    }

    /**
     * A call of {@code w} (fetch, report, sync): its visit goes on, or a new one starts after a gap. Returns what a
     * fetch now may expect of it, or null for a worker whose visits are not tracked (its units are not sized).
     */
    public VisitOutlook contact(WorkerRecord w) {
        if (!tracked(w)) {
            return null;
        }
        long now = clock.millis();
        Open o = open.computeIfAbsent(w.id(), id -> new Open(id, w.platform(), now));
        VisitStats history = w.visit();
        long start;
        synchronized (o) {
            if (!o.closed && now > o.closesAt()) {
                history = close(o);
            }
            if (o.closed) { // closed by the gap just now, or by a sweep that took it out of the map
                open.putIfAbsent(o.workerId, o);
                o.closed = false;
                o.start = now;
                o.busyUntil = 0;
                o.tasks.clear();
            }
            o.lastContact = Math.max(o.lastContact, now);
            start = o.start;
        }
        return outlook(history, w.platform(), Math.max(0, now - start));
    }

    /** What a fetch may expect of a worker with {@code history} that has stayed {@code elapsed} ms so far. */
    VisitOutlook outlook(VisitStats history, String platform, long elapsed) {
        VisitStats p = platform(platform);
        long prior = p.visits() > 0 ? p.typicalMillis() : DEFAULT_VISIT_MILLIS;
        double speed = history.expectedSpeed(p.expectedSpeed(DEFAULT_SPEED));
        return new VisitOutlook(history.expectedMillis(prior, PRIOR_VISITS), elapsed, speed > 0 ? speed : DEFAULT_SPEED);
    }

    /** The expectations of {@code w} now, for views: null for a worker whose visits are not tracked. */
    public VisitOutlook describe(WorkerRecord w) {
        if (!tracked(w)) {
            return null;
        }
        Open o = open.get(w.id());
        long elapsed = 0;
        if (o != null) {
            synchronized (o) {
                elapsed = o.closed ? 0 : Math.max(0, clock.millis() - o.start);
            }
        }
        return outlook(w.visit(), w.platform(), elapsed);
    }

    /** Tasks handed to {@code w} (task id → cost) at a fetch that expected {@code outlook} of it. */
    public void issued(WorkerRecord w, VisitOutlook outlook, Map<String, Double> costs) {
        Open o = outlook == null || costs.isEmpty() ? null : open.get(w.id());
        if (o == null) {
            return;
        }
        long now = clock.millis();
        synchronized (o) {
            for (Map.Entry<String, Double> t : costs.entrySet()) {
                if (o.tasks.size() < MAX_TASKS) {
                    o.tasks.put(t.getKey(), new Issued(now, t.getValue(), outlook.speed()));
                }
                o.busyUntil = Math.max(o.busyUntil, now + Math.round(t.getValue() / outlook.speed() * 1000));
            }
        }
    }

    /** Results {@code w} reported with an output (task ids accepted): each measures its speed. */
    public void reported(WorkerRecord w, List<String> computed) {
        Open o = tracked(w) ? open.get(w.id()) : null;
        if (o == null) {
            return;
        }
        long now = clock.millis();
        List<Double> samples = new ArrayList<>();
        synchronized (o) {
            for (String id : computed) {
                Issued t = o.tasks.remove(id);
                if (t != null) {
                    samples.add(Math.min(t.cost() / (Math.max(1, now - t.at()) / 1000.0), MAX_SPEEDUP * t.expectedSpeed()));
                }
            }
            if (o.tasks.isEmpty()) {
                o.busyUntil = 0;
            }
        }
        if (!samples.isEmpty()) {
            log.measured(w.id(), w.platform(), samples.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    /** {@code w} synced, holding only {@code holding}: the tasks it let go no longer keep its visit open. */
    public void synced(WorkerRecord w, Set<String> holding) {
        Open o = tracked(w) ? open.get(w.id()) : null;
        if (o == null) {
            return;
        }
        synchronized (o) {
            o.tasks.keySet().retainAll(holding);
            if (o.tasks.isEmpty()) {
                o.busyUntil = 0;
            }
        }
    }

    /** Closes the visits whose gap has passed (a tab that never came back); returns how many. Call it on a timer. */
    public int sweep() {
        long now = clock.millis();
        int n = 0;
        for (Open o : open.values()) {
            synchronized (o) {
                if (o.closed || now <= o.closesAt()) {
                    continue;
                }
                close(o);
                open.remove(o.workerId, o); // a contact waiting for this lock puts it back as a new visit
            }
            n++;
        }
        return n;
    }

    /** Records an open visit as over at its last contact; the worker's new history. Holds {@code o}'s lock. */
    private VisitStats close(Open o) {
        o.closed = true;
        return log.visited(o.workerId, o.platform, o.lastContact - o.start);
    }

    /** The platform's history, read from the cluster at most every few seconds. */
    private VisitStats platform(String platform) {
        long now = clock.millis();
        Cached c = platforms.get(platform);
        if (c == null || now - c.at() >= PLATFORM_CACHE_MILLIS || now < c.at()) {
            c = new Cached(log.platform(platform), now);
            platforms.put(platform, c);
        }
        return c.stats();
    }
}
