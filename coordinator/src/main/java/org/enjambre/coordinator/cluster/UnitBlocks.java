package org.enjambre.coordinator.cluster;

import com.hazelcast.partition.PartitioningStrategy;

/**
 * The partitioning of the cluster's keys (the member's strategy, so every map's): for the {@code units} map, a job's units live in blocks of {@link #SIZE} consecutive indexes,
 * each block on one partition. A worker fetches and reports mostly consecutive units of one job, so one fetch or
 * one report touches a few blocks, and {@link HazelcastUnitTable#applyAll(java.util.List)} applies it in one
 * cluster operation per block instead of one per unit (issue 16: one entry processor per task was most of the
 * partition threads' time). Keys that do not end in {@code /index} (jobs, workers) partition as themselves.
 *
 * <p>Every peer of a cluster must partition the same way: changing {@link #SIZE} (or this rule) needs a full
 * cluster restart, not a rolling upgrade (README, Upgrades).
 */
public final class UnitBlocks implements PartitioningStrategy<Object> {
    /** Units per block: small enough that a job of a few dozen units still spreads over several peers. */
    public static final int SIZE = 8;

    /** A string key's block; {@code null} (Hazelcast's default partitioning) for every other object. */
    @Override
    public Object getPartitionKey(Object key) {
        if (key instanceof String s) {
            String block = blockOf(s);
            return block == s ? null : block;
        }
        return null;
    }

    /** The block a unit key belongs to ({@code jobId#block}), or the key itself when it is not a unit key. */
    public static String blockOf(String key) {
        int slash = key.lastIndexOf('/');
        if (slash <= 0 || slash == key.length() - 1) {
            return key;
        }
        int index = 0;
        for (int i = slash + 1; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9' || index > (Integer.MAX_VALUE - 9) / 10) {
                return key;
            }
            index = index * 10 + (c - '0');
        }
        return key.substring(0, slash) + '#' + (index / SIZE);
    }
}
