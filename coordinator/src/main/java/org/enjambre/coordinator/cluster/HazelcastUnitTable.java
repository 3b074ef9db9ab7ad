package org.enjambre.coordinator.cluster;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.map.IMap;
import com.hazelcast.map.impl.MapEntries;
import com.hazelcast.map.impl.MapService;
import com.hazelcast.map.impl.operation.MultipleEntryOperation;
import com.hazelcast.spi.impl.AbstractDistributedObject;
import com.hazelcast.spi.impl.NodeEngine;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.transition.Event;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** The unit table as the cluster map {@code units}: each event runs as an entry processor on the unit's owner. */
public final class HazelcastUnitTable implements UnitTable {
    /** Key sets larger than this are read one partition at a time ({@link #getAll}). */
    static final int GROUP_ABOVE = 64;

    private final IMap<String, WorkUnit> units;
    /** The member's engine: partition ids, serialization, and the block operations ({@link #submit}). */
    private final NodeEngine engine;

    /** The table over {@code units}, a member's proxy of the cluster map. */
    public HazelcastUnitTable(IMap<String, WorkUnit> units) {
        this.units = units;
        this.engine = ((AbstractDistributedObject<?>) units).getNodeEngine();
    }

    @Override
    public CompletableFuture<UnitChange> apply(Step s) {
        return units.submitToKey(s.key(), processor(s)).toCompletableFuture();
    }

    /**
     * The steps grouped by partition (a block of units shares one, {@link UnitBlocks}): a group of several steps goes
     * out as one {@link BatchProcessor} (one {@code MultipleEntryOperation} on the partition, {@link #submit}), a group
     * of one as a single-key operation. Each key is serialized once, for its partition and for the operation. A key
     * named twice (a forged report with two replicas of one unit) goes to a later round, applied after the earlier one
     * completed, so one unit's events still apply in their order. A unit owned by this member hands its change over in
     * memory instead of serialized and deserialized ({@link UnitProcessor#handingOver}). Every answer is read once its
     * operation completed, on this thread (a continuation on Hazelcast's future would run on its default async
     * executor).
     */
    @Override
    public List<UnitChange> applyEach(List<Step> steps) {
        UnitProcessor[] processors = new UnitProcessor[steps.size()];
        UnitChange[] replies = new UnitChange[steps.size()]; // what an owner elsewhere sent; null when handed over
        List<Integer> next = new ArrayList<>(steps.size());
        for (int i = 0; i < steps.size(); i++) {
            processors[i] = processor(steps.get(i)).handingOver();
            next.add(i);
        }
        while (!next.isEmpty()) {
            Map<Integer, Map<Data, Integer>> groups = new LinkedHashMap<>();
            List<Integer> later = new ArrayList<>();
            for (int i : next) {
                Data key = engine.toData(steps.get(i).key());
                Map<Data, Integer> group = groups.computeIfAbsent(engine.getPartitionService().getPartitionId(key),
                        p -> new LinkedHashMap<>());
                if (group.putIfAbsent(key, i) != null) {
                    later.add(i);
                }
            }
            List<Map<Data, Integer>> sent = new ArrayList<>(groups.size());
            List<CompletableFuture<?>> futures = new ArrayList<>(groups.size());
            groups.forEach((partition, group) -> {
                sent.add(group);
                futures.add(submit(partition, group, steps, processors));
            });
            Together.await(futures); // one park for all the blocks, not one per block still running
            for (int g = 0; g < futures.size(); g++) {
                Object reply = futures.get(g).join();
                if (sent.get(g).size() == 1) {
                    replies[sent.get(g).values().iterator().next()] = (UnitChange) reply;
                } else if (reply instanceof MapEntries entries) {
                    for (int e = 0; e < entries.size(); e++) {
                        replies[sent.get(g).get(entries.getKey(e))] = engine.toObject(entries.getValue(e));
                    }
                }
            }
            next = later;
        }
        List<UnitChange> out = new ArrayList<>(steps.size());
        for (int i = 0; i < processors.length; i++) {
            out.add(processors[i].answer(replies[i]));
        }
        return out;
    }

    /**
     * One partition's steps (serialized key to step number) as one operation: its future completes with the step's
     * change for a single step, and for several with the replies (none for answers handed over) as Hazelcast's
     * {@code MultipleEntryOperation} gives them. That operation is what {@code IMap.submitToKeys} sends to each
     * partition, invoked here on the partition directly: {@code submitToKeys} adds a generic-thread fan-out and
     * completes on Hazelcast's default async executor, a new thread per call on a 2-core machine (measured: ~400
     * threads a second, slower than one operation per unit).
     */
    private CompletableFuture<?> submit(int partition, Map<Data, Integer> group, List<Step> steps, UnitProcessor[] processors) {
        if (group.size() == 1) {
            int only = group.values().iterator().next();
            return units.submitToKey(steps.get(only).key(), processors[only]).toCompletableFuture();
        }
        Map<String, UnitProcessor> byKey = new LinkedHashMap<>(group.size() * 2);
        group.values().forEach(i -> byKey.put(steps.get(i).key(), processors[i]));
        return engine.getOperationService().invokeOnPartition(MapService.SERVICE_NAME,
                new MultipleEntryOperation(units.getName(), group.keySet(), new BatchProcessor(byKey)), partition);
    }

    private static UnitProcessor processor(Step s) {
        return new UnitProcessor(s.app(), s.event(), s.replan(), s.fresh());
    }

    /**
     * Hazelcast's {@code getAll} sends every partition an operation carrying the whole key set, and each one hashes
     * every key to find its own: O(partitions × keys), 20 % of the partition threads' time when a 40,000-unit job
     * completed (BENCHMARKS.md, eighth session). A large set is therefore grouped here and read one partition's
     * keys at a time.
     */
    @Override
    public Map<String, WorkUnit> getAll(Set<String> keys) {
        if (keys.size() <= GROUP_ABOVE) {
            return units.getAll(keys);
        }
        Map<Integer, Set<String>> byPartition = new HashMap<>();
        for (String k : keys) {
            byPartition.computeIfAbsent(engine.getPartitionService().getPartitionId(k), p -> new HashSet<>()).add(k);
        }
        Map<String, WorkUnit> out = new HashMap<>(keys.size() * 2);
        for (Set<String> group : byPartition.values()) {
            out.putAll(units.getAll(group));
        }
        return out;
    }

    @Override
    public void applyAll(Set<String> keys, String app, Event event) {
        onEachPartition(keys, new UnitProcessor(app, event)).forEach(CompletableFuture::join);
    }

    @Override
    public void evict(Set<String> keys) {
        // One operation per partition (a delete per unit was ~1.5 cluster operations per finished unit with the
        // index's own deletes, tenth session); not waited for, as the deletes were not.
        onEachPartition(keys, EvictProcessor.INSTANCE);
    }

    /**
     * Runs {@code processor} on every key, one {@code MultipleEntryOperation} per partition carrying only that
     * partition's keys. {@code IMap.executeOnKeys} and {@code submitToKeys} send every partition's operation the whole
     * key set, and each iterates all of it to find its own keys: O(partitions × keys), which for a finished job's
     * 10,000-key chunks kept both partition threads busy (tenth session, JFR: {@code MultipleEntryOperation.runInternal}
     * in {@code HashMap$KeyIterator.next}).
     */
    private List<CompletableFuture<Object>> onEachPartition(Set<String> keys, com.hazelcast.map.EntryProcessor<String, WorkUnit, ?> processor) {
        Map<Integer, Set<Data>> byPartition = new HashMap<>();
        for (String k : keys) {
            Data key = engine.toData(k);
            byPartition.computeIfAbsent(engine.getPartitionService().getPartitionId(key), p -> new HashSet<>()).add(key);
        }
        List<CompletableFuture<Object>> out = new ArrayList<>(byPartition.size());
        byPartition.forEach((partition, group) -> out.add(engine.getOperationService().invokeOnPartition(MapService.SERVICE_NAME,
                new MultipleEntryOperation(units.getName(), group, processor), partition)));
        return out;
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
