package org.enjambre.coordinator.cluster;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The member's partitioning: a job's units in blocks of consecutive indexes, every other key as Hazelcast's default. */
class UnitBlocksTest {
    private final UnitBlocks strategy = new UnitBlocks();

    @Test
    void unitKeys_ofOneBlock_shareAPartitionKey_theNextBlockDiffers() {
        assertThat(UnitBlocks.blockOf("job-1/0")).isEqualTo("job-1#0");
        assertThat(UnitBlocks.blockOf("job-1/" + (UnitBlocks.SIZE - 1))).isEqualTo("job-1#0");
        assertThat(UnitBlocks.blockOf("job-1/" + UnitBlocks.SIZE)).isEqualTo("job-1#1");
        assertThat(UnitBlocks.blockOf("job-2/5")).isEqualTo("job-2#0");
        assertThat(UnitBlocks.blockOf("a/b/70")).as("the job id may hold a slash").isEqualTo("a/b#" + 70 / UnitBlocks.SIZE);
        assertThat(strategy.getPartitionKey("job-1/3")).isEqualTo(strategy.getPartitionKey("job-1/4"));
    }

    @Test
    void otherKeys_partitionAsThemselves() {
        for (String key : new String[] {"job-1", "worker-7", "/5", "job/", "job/x1", "job/12a", "job/99999999999", "job/-3"}) {
            assertThat(UnitBlocks.blockOf(key)).as(key).isSameAs(key);
            assertThat(strategy.getPartitionKey(key)).as(key).isNull();
        }
        assertThat(strategy.getPartitionKey(42L)).isNull();
        assertThat(UnitBlocks.blockOf("job/" + Integer.MAX_VALUE)).isEqualTo("job#" + Integer.MAX_VALUE / UnitBlocks.SIZE);
        assertThat(UnitBlocks.blockOf("job/" + (Integer.MAX_VALUE + 1L))).as("beyond an int index").isEqualTo("job/" + (Integer.MAX_VALUE + 1L));
    }
}
