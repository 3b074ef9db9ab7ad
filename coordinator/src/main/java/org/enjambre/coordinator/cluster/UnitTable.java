package org.enjambre.coordinator.cluster;

import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.spec.Redundancy;
import org.enjambre.workunits.transition.Event;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The cluster's work units as the scheduling components see them: one aggregate per key
 * ({@code jobId/index}), changed only by applying an {@link Event} where the unit lives.
 * {@link HazelcastUnitTable} is the cluster map; {@link MemUnitTable} is the same semantics in memory
 * (component tests, the whole-swarm simulation).
 *
 * <p>Implementations MUST apply each event atomically per unit and MUST NOT block the caller beyond
 * handing the event over: the returned future completes when the unit changed (or refused).
 */
public interface UnitTable {

    /**
     * Applies {@code event} to the unit at {@code key}.
     *
     * @param replan for an issue to a unit none of whose replicas is sent yet: the redundancy to give it
     *               first (adaptive replication), or {@code null}
     */
    default CompletableFuture<UnitChange> apply(String key, String app, Event event, Redundancy replan) {
        return apply(new Step(key, app, event, replan));
    }

    /** Applies one step: its event to the unit at its key. */
    CompletableFuture<UnitChange> apply(Step step);

    /**
     * One event for one unit.
     *
     * @param replan as in {@link #apply(String, String, Event, Redundancy)}
     * @param fresh  for an issue: the job's policy, to make the unit with when it has no entry yet (a job's
     *               never-touched units are implicit, see {@code LocalIndex}), or {@code null}
     */
    record Step(String key, String app, Event event, Redundancy replan, Redundancy fresh) {
        public Step(String key, String app, Event event, Redundancy replan) {
            this(key, app, event, replan, null);
        }
    }

    /**
     * Applies each step as {@link #apply} would, all handed over at once, and blocks until every one is applied;
     * the changes come in the order of {@code steps}. Steps of the same key apply in their order (one unit's events
     * queue on its owner in the order they were handed over). Joining here, not chaining on the cluster's futures:
     * Hazelcast runs continuations on its default async executor, a new thread each on a 2-core machine
     * (BENCHMARKS.md). The cluster map sends each block of units ({@link UnitBlocks}) as one operation.
     */
    default List<UnitChange> applyEach(List<Step> steps) {
        List<CompletableFuture<UnitChange>> futures = new java.util.ArrayList<>(steps.size());
        for (Step s : steps) {
            futures.add(apply(s));
        }
        List<UnitChange> out = new java.util.ArrayList<>(futures.size());
        for (CompletableFuture<UnitChange> f : futures) {
            out.add(f.join());
        }
        return out;
    }

    /** {@link #apply} without a replan. */
    default CompletableFuture<UnitChange> apply(String key, String app, Event event) {
        return apply(key, app, event, null);
    }

    /**
     * Backtracking: marks every result of {@code workerId} not validated yet INVALID, on every unit of the
     * cluster (every owner), and returns the changes of the units it touched. Blocks until done.
     */
    List<UnitChange> invalidate(String workerId);

    /** The units at {@code keys} that are in memory (a job's live units; an absent one is fresh). Blocks. */
    Map<String, WorkUnit> getAll(Set<String> keys);

    /** Applies {@code event} to each unit at {@code keys} (a job finished: cancel the rest); blocks until done. */
    void applyAll(Set<String> keys, String app, Event event);

    /** Drops the units at {@code keys} from memory, without waiting (their job finished; the store has them). */
    void evict(Set<String> keys);

    /** Sees every change of a unit: {@code before} or {@code after} is {@code null} when absent. */
    @FunctionalInterface
    interface Listener {
        void changed(String key, WorkUnit before, WorkUnit after);
    }
}
