package org.enjambre.coordinator.cluster;

import com.hazelcast.map.IMap;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.spec.Redundancy;
import org.enjambre.workunits.transition.Event;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;

/** The unit table as the cluster map {@code units}: each event runs as an entry processor on the unit's owner. */
public final class HazelcastUnitTable implements UnitTable {
    /**
     * Runs a continuation on the thread that completed a cluster future. Without an executor, Hazelcast runs
     * continuations on its default async executor, which on a machine with 2 cores (common pool parallelism 1)
     * starts a new thread for each: the bench's Hazelcast baseline measured that (BENCHMARKS.md). The
     * continuations here only gather maps.
     */
    private static final java.util.concurrent.Executor ON_RESPONSE_THREAD = Runnable::run;

    private final IMap<String, WorkUnit> units;

    public HazelcastUnitTable(IMap<String, WorkUnit> units) {
        this.units = units;
    }

    @Override
    public CompletableFuture<UnitChange> apply(String key, String app, Event event, Redundancy replan) {
        return units.submitToKey(key, new UnitProcessor(app, event, replan)).toCompletableFuture();
    }

    /**
     * One {@link BatchProcessor} per block of units ({@link UnitBlocks}) and round: a key named twice (a forged
     * report with two replicas of one unit) goes to a later round, applied after the earlier one completed.
     */
    @Override
    public CompletableFuture<List<UnitChange>> applyEach(List<Step> steps) {
        List<Map<String, Map<String, UnitProcessor>>> rounds = new ArrayList<>();
        int[] roundOf = new int[steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            String block = UnitBlocks.blockOf(s.key());
            int r = 0;
            while (r < rounds.size() && rounds.get(r).getOrDefault(block, Map.of()).containsKey(s.key())) {
                r++;
            }
            if (r == rounds.size()) {
                rounds.add(new LinkedHashMap<>());
            }
            rounds.get(r).computeIfAbsent(block, b -> new LinkedHashMap<>())
                    .put(s.key(), new UnitProcessor(s.app(), s.event(), s.replan()));
            roundOf[i] = r;
        }
        CompletableFuture<List<Map<String, UnitChange>>> done = CompletableFuture.completedFuture(new ArrayList<>());
        for (Map<String, Map<String, UnitProcessor>> round : rounds) {
            // A later round starts when the one before completed, on a partition thread, which may not invoke
            // other partitions' operations: it is submitted from the common pool (rare: repeated keys only).
            java.util.function.Function<List<Map<String, UnitChange>>, CompletableFuture<List<Map<String, UnitChange>>>> next =
                    acc -> submit(round).thenApply(m -> {
                        acc.add(m);
                        return acc;
                    });
            done = done.isDone() ? done.thenCompose(next) : done.thenComposeAsync(next, ForkJoinPool.commonPool());
        }
        return done.thenApply(acc -> {
            List<UnitChange> out = new ArrayList<>(steps.size());
            for (int i = 0; i < steps.size(); i++) {
                UnitChange c = acc.get(roundOf[i]).get(steps.get(i).key());
                out.add(c != null ? c : UnitChange.missing(steps.get(i).key()));
            }
            return out;
        });
    }

    /** One round: a {@code submitToKeys} per block, all at once. */
    private CompletableFuture<Map<String, UnitChange>> submit(Map<String, Map<String, UnitProcessor>> blocks) {
        List<CompletableFuture<Map<String, UnitChange>>> futures = new ArrayList<>(blocks.size());
        for (Map<String, UnitProcessor> block : blocks.values()) {
            futures.add(block.size() == 1
                    ? oneKey(block)
                    : onResponseThread(units.submitToKeys(block.keySet(), new BatchProcessor(block))));
        }
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<String, UnitChange> all = new HashMap<>();
            for (CompletableFuture<Map<String, UnitChange>> f : futures) {
                all.putAll(f.join());
            }
            return all;
        });
    }

    /** A block of one unit: a plain single-key operation (cheaper than a key-set operation for one key). */
    private CompletableFuture<Map<String, UnitChange>> oneKey(Map<String, UnitProcessor> block) {
        Map.Entry<String, UnitProcessor> e = block.entrySet().iterator().next();
        return onResponseThread(units.submitToKey(e.getKey(), e.getValue())).thenApply(c -> Map.of(e.getKey(), c));
    }

    /** A plain future completed on the thread that completes the cluster's future (see {@link #ON_RESPONSE_THREAD}). */
    private static <T> CompletableFuture<T> onResponseThread(java.util.concurrent.CompletionStage<T> cluster) {
        CompletableFuture<T> out = new CompletableFuture<>();
        cluster.whenCompleteAsync((v, failure) -> {
            if (failure != null) {
                out.completeExceptionally(failure);
            } else {
                out.complete(v);
            }
        }, ON_RESPONSE_THREAD);
        return out;
    }

    @Override
    public Map<String, WorkUnit> getAll(Set<String> keys) {
        return units.getAll(keys);
    }

    @Override
    public void applyAll(Set<String> keys, String app, Event event) {
        units.executeOnKeys(keys, new UnitProcessor(app, event));
    }

    @Override
    public void evict(String key) {
        units.deleteAsync(key);
    }

    @Override
    public List<UnitChange> invalidate(String workerId) {
        List<UnitChange> out = new ArrayList<>();
        for (UnitChange c : units.executeOnEntries(new InvalidateProcessor(workerId)).values()) {
            if (c != null && c.unit() != null) {
                out.add(c);
            }
        }
        return out;
    }
}
