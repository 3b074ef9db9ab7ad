package org.enjambre.coordinator.jobs;

import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.TaskState;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.transition.Transitioner;

/**
 * A job's unit counters as peers answer {@code CountUnits} and sum them: units by {@link UnitState} (index =
 * ordinal), then what holds units back. Each peer counts the units it owns, so the sum is O(peers).
 *
 * <p>Invariants: {@link #WAITING} ⊆ IN_PROGRESS (units with no replica in progress; the view shows
 * IN_PROGRESS − WAITING as in progress); {@link #WAITING_CREDIBILITY} ⊆ WAITING; {@link #NO_ELIGIBLE_WORKER}
 * ⊆ NEEDS_REPLICAS. An answer shorter than {@link #SIZE} (an older peer) counts the missing slots as 0.
 */
public final class UnitCounts {
    /** IN_PROGRESS units none of whose replicas is in progress: their results wait (for credibility or judging). */
    public static final int WAITING = UnitState.values().length;
    /** Of those, units waiting only for their workers' credibility (spot-checks). */
    public static final int WAITING_CREDIBILITY = WAITING + 1;
    /** NEEDS_REPLICAS units that no connected worker may take because of placement (sched/PlacementWatcher). */
    public static final int NO_ELIGIBLE_WORKER = WAITING + 2;
    public static final int SIZE = WAITING + 3;

    private UnitCounts() {
    }

    /**
     * Units in {@code state} as users see them: IN_PROGRESS without the {@link #WAITING} ones, which are a state
     * of their own ({@code "WAITING"}); so the states still partition the units.
     */
    public static long shown(long[] counts, String state) {
        if (state.equals("WAITING")) {
            return counts[WAITING];
        }
        int s = UnitState.valueOf(state).ordinal();
        return s == UnitState.IN_PROGRESS.ordinal() ? Math.max(0, counts[s] - counts[WAITING]) : counts[s];
    }

    /** The state names {@link #shown} knows: every {@link UnitState}, then WAITING. */
    public static java.util.List<String> shownStates() {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (UnitState s : UnitState.values()) {
            out.add(s.name());
        }
        out.add("WAITING");
        return out;
    }

    /** Whether a unit counts as {@link #WAITING}: in progress, but no replica is on a worker. */
    public static boolean waiting(WorkUnit u) {
        if (u.state() != UnitState.IN_PROGRESS) {
            return false;
        }
        for (Task t : u.tasks()) {
            if (t.state() == TaskState.IN_PROGRESS) {
                return false;
            }
        }
        return true;
    }

    /** Whether a unit counts as {@link #WAITING_CREDIBILITY}. */
    public static boolean waitingForCredibility(WorkUnit u) {
        return waiting(u) && Transitioner.waitingForCredibility(u);
    }
}
