package org.enjambre.coordinator.cluster;

import com.hazelcast.partition.PartitioningStrategy;

/**
 * How the member partitions its keys (every map's: Hazelcast checks a map loader's keys against the member's
 * strategy, so a map-level strategy breaks the units' initial load, hazelcast/hazelcast#14670). A job's units live
 * in blocks of {@link #SIZE} consecutive indexes, each block on one partition: a worker fetches and reports mostly
 * consecutive units of a job, so a fetch or a report of a few hundred units touches a few blocks, and
 * {@link HazelcastUnitTable#applyEach} applies each block's events in one cluster operation instead of one per unit
 * (issue 16: the per-unit operation machinery was ~30 % of the coordinator's CPU). Every other key (jobs, workers,
 * Hazelcast's own objects) partitions as Hazelcast's default does.
 *
 * <p>Every peer of a cluster must partition the same way: a change of {@link #SIZE} or of this rule needs a full
 * cluster restart, not a rolling upgrade (README, Upgrades).
 */
public final class UnitBlocks implements PartitioningStrategy<Object> {
    /**
     * Units per block: large enough that a real worker's fetch (~250 units) is a handful of operations, small enough
     * that a job of a few hundred units still spreads over the peers of a small cluster.
     */
    public static final int SIZE = 32;

    /** A unit key's block; {@code null} (Hazelcast's default partitioning) for every other key. */
    @Override
    public Object getPartitionKey(Object key) {
        if (key instanceof String s) {
            String block = blockOf(s);
            return block == s ? null : block;
        }
        return null;
    }

    /** The block a unit key ({@code jobId/index}) belongs to, {@code jobId#block}; the key itself when it is not a unit key. */
    public static String blockOf(String key) {
        int slash = key.lastIndexOf('/');
        if (slash <= 0 || slash == key.length() - 1 || key.length() - slash > 11) {
            return key;
        }
        long index = 0;
        for (int i = slash + 1; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') {
                return key;
            }
            index = index * 10 + (c - '0');
        }
        if (index > Integer.MAX_VALUE) {
            return key;
        }
        return key.substring(0, slash) + '#' + (index / SIZE);
    }
}
