package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.cluster.UnitChange;
import org.enjambre.coordinator.metrics.Metrics;
import org.enjambre.workunits.transition.Effect;
import org.enjambre.workunits.transition.Event;

import java.time.Clock;
import java.util.List;

/**
 * Times out replicas whose deadline passed on the units this peer owns (BOINC's transitioner on a
 * deadline): each counts as an error of its worker and its unit gets a new replica. Runs when the wiring
 * calls {@link #expire}; starts no thread and reads time only from its clock.
 */
public final class DeadlineWatcher {
    /** The most units expired in one call (the next call takes the rest). */
    static final int BATCH = 5000;

    private final LocalIndex index;
    private final OwnedUnits owned;
    private final Metrics metrics;
    private final Clock clock;

    DeadlineWatcher(LocalIndex index, OwnedUnits owned, Metrics metrics, Clock clock) {
        this.index = index;
        this.owned = owned;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Times out the replicas this peer owns whose deadline passed; returns how many. Blocks. */
    public int expire() {
        long now = clock.millis();
        List<String> overdue = index.overdue(now, BATCH);
        if (overdue.isEmpty()) {
            return 0;
        }
        int expired = 0;
        for (UnitChange c : owned.apply(overdue, new Event.DeadlinePassed(now))) {
            expired += (int) c.effects().stream().filter(e -> e instanceof Effect.Errored).count();
        }
        metrics.expired(expired);
        return expired;
    }
}
