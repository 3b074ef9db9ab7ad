package org.enjambre.coordinator.sched;

import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.TaskState;
import org.enjambre.workunits.model.WorkUnit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * When the earliest replica in progress of each unit owned here times out, in deadline order (part of {@link LocalIndex}).
 * Invariant: a key has at most one entry in {@code byTime}, the one {@code dueOf} names.
 */
final class Deadlines {
    private record Deadline(long at, String key) implements Comparable<Deadline> {
        @Override
        public int compareTo(Deadline o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : key.compareTo(o.key);
        }
    }

    private final ConcurrentSkipListSet<Deadline> byTime = new ConcurrentSkipListSet<>();
    private final Map<String, Long> dueOf = new ConcurrentHashMap<>();

    /** Indexes the unit at {@code key} as it is now ({@code null}: gone). */
    void index(String key, WorkUnit after) {
        long due = Long.MAX_VALUE;
        if (after != null) {
            for (Task t : after.tasks()) {
                if (t.state() == TaskState.IN_PROGRESS && t.deadline() < due) {
                    due = t.deadline();
                }
            }
        }
        Long old = due == Long.MAX_VALUE ? dueOf.remove(key) : dueOf.put(key, due);
        if (old != null && old != due) {
            byTime.remove(new Deadline(old, key));
        }
        if (due != Long.MAX_VALUE) {
            byTime.add(new Deadline(due, key));
        }
    }

    /** Keys of units with a replica whose deadline is at or before {@code now}, earliest first. */
    List<String> overdue(long now, int limit) {
        List<String> out = new ArrayList<>();
        for (Deadline d : byTime) {
            if (d.at() > now || out.size() >= limit) {
                break;
            }
            out.add(d.key());
        }
        return out;
    }

    void clear() {
        byTime.clear();
        dueOf.clear();
    }
}
