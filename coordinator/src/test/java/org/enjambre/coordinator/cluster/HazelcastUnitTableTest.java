package org.enjambre.coordinator.cluster;

import com.hazelcast.map.IMap;
import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.CoordinatorOptions;
import org.enjambre.coordinator.Harness;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.spec.Redundancy;
import org.enjambre.workunits.transition.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The cluster map's application of a batch of events, on a real Hazelcast member (a coordinator's). */
class HazelcastUnitTableTest {
    @TempDir
    Path dir;
    Coordinator coordinator;
    IMap<String, WorkUnit> units;
    HazelcastUnitTable table;
    final String cluster = "units-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    final int clusterPort = Harness.freePort();

    @BeforeEach
    void start() {
        coordinator = Coordinator.start(Harness.options(dir).cluster(cluster, null).clusterPort(clusterPort));
        units = coordinator.node().units();
        table = coordinator.node().unitTable();
        for (int i = 0; i < 20; i++) {
            units.set(WorkUnit.id("jb", i), WorkUnit.create("jb", i, new Redundancy(2, 2, 1, 4, false)));
        }
    }

    @AfterEach
    void stop() {
        coordinator.close();
    }

    @Test
    void applyEach_returnsChangesInOrder_appliesRepeatedKeysInTurn_andRefusesMissingUnits() {
        Event.Issue toA = new Event.Issue(new WorkerRef("wa", null, null), 1_000, 60_000);
        Event.Issue toB = new Event.Issue(new WorkerRef("wb", null, null), 1_000, 60_000);
        List<UnitChange> changes = table.applyEach(List.of(
                new UnitTable.Step("jb/3", "noop", toA, null),
                new UnitTable.Step("jb/12", "noop", toA, null),
                new UnitTable.Step("jb/3", "noop", toB, null),
                new UnitTable.Step("jb/3", "noop", toA, null),
                new UnitTable.Step("jb/4", "noop", toB, null),
                new UnitTable.Step("nojob/0", "noop", toA, null)));

        assertThat(changes).hasSize(6);
        assertThat(changes.get(0).accepted()).isTrue();
        assertThat(changes.get(0).unit().index()).isEqualTo(3);
        assertThat(changes.get(1).unit().index()).isEqualTo(12);
        assertThat(changes.get(2).accepted()).as("a second worker on the same unit, applied after the first").isTrue();
        assertThat(changes.get(2).unit().tasks()).extracting(t -> t.workerId()).containsExactly("wa", "wb");
        assertThat(changes.get(3).accepted()).as("worker a again on a unit it holds (placement)").isFalse();
        assertThat(changes.get(4).unit().index()).isEqualTo(4);
        assertThat(changes.get(5).accepted()).isFalse();
        assertThat(changes.get(5).rejection().message()).contains("nojob/0");
        assertThat(units.get("jb/3").tasks()).extracting(t -> t.workerId()).containsExactly("wa", "wb");
        assertThat(units.get("jb/4").tasks()).extracting(t -> t.workerId()).contains("wb");
        assertThat(units.get("jb/12").tasks()).extracting(t -> t.workerId()).containsOnlyOnce("wa");
        assertThat(units.get("jb/5").tasks()).extracting(t -> t.workerId()).containsOnlyNulls();
    }

    @Test
    void applyAll_appliesTheEventToEveryUnitGiven_oneOperationPerPartition_makingNoAbsentOne() {
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (int i = 0; i < 25; i++) { // 20 in the map, 5 absent
            keys.add(WorkUnit.id("jb", i));
        }
        keys.add(WorkUnit.id("jb", 1000));

        table.applyAll(keys, "noop", new Event.Cancel("the job was cancelled", 5_000));

        assertThat(units.size()).as("no unit made").isEqualTo(20);
        for (int i = 0; i < 20; i++) {
            assertThat(units.get(WorkUnit.id("jb", i)).terminal()).as("unit " + i).isTrue();
        }
    }

    @Test
    void evict_dropsEveryUnitGiven_andNoOther() {
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (int i = 0; i < 15; i++) {
            keys.add(WorkUnit.id("jb", i));
        }
        table.evict(keys);
        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> units.size() == 5);
        assertThat(units.keySet()).containsExactlyInAnyOrder("jb/15", "jb/16", "jb/17", "jb/18", "jb/19");
    }

    /**
     * A block owned by the other peer: its events go there as one operation (the processor serialized), the
     * changes come back over the wire, and the backup kept here holds the same units once the owner is gone.
     */
    @Test
    void applyEach_blockOwnedByAnotherPeer_answersComeBack_andTheBackupHoldsTheSameUnits() {
        CoordinatorOptions o = Harness.options(dir.resolve("second")).cluster(cluster, null).join(List.of("127.0.0.1:" + clusterPort));
        Coordinator second = Coordinator.start(o);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> units.size() == 20
                    && coordinator.node().hazelcast().getPartitionService().isClusterSafe());
            String job = null;
            for (int j = 0; job == null; j++) {
                if (!coordinator.node().hazelcast().getPartitionService().getPartition("jr" + j + "/0").getOwner().localMember()) {
                    job = "jr" + j;
                }
            }
            Redundancy policy = new Redundancy(2, 2, 1, 4, false);
            Event.Issue toA = new Event.Issue(new WorkerRef("wa", null, null), 1_000, 60_000);
            List<UnitTable.Step> steps = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                steps.add(new UnitTable.Step(WorkUnit.id(job, i), "noop", toA, null, policy));
            }

            List<UnitChange> changes = table.applyEach(steps);

            assertThat(changes).hasSize(10).allMatch(UnitChange::accepted);
            assertThat(changes).extracting(c -> c.unit().index()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
            assertThat(second.node().units().localKeySet()).as("the other peer owns the block").contains(WorkUnit.id(job, 3));
            second.crash();
            await().atMost(Duration.ofSeconds(30)).until(() -> coordinator.node().hazelcast().getCluster().getMembers().size() == 1);
            assertThat(units.get(WorkUnit.id(job, 9)).tasks()).as("the backup made the same unit")
                    .extracting(t -> t.workerId()).containsExactly("wa", null);
        } finally {
            second.close();
        }
    }

    @Test
    void getAll_largeKeySet_readPartitionByPartition_returnsExactlyThePresentUnits() {
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (int i = 0; i < 500; i++) {
            keys.add(WorkUnit.id("jb", i)); // 20 present (jb/0..19), the rest absent (implicit)
        }
        keys.add("nojob/3");
        assertThat(keys.size()).isGreaterThan(HazelcastUnitTable.GROUP_ABOVE);

        java.util.Map<String, WorkUnit> got = table.getAll(keys);

        assertThat(got.keySet()).hasSize(20).allMatch(k -> k.startsWith("jb/"));
        assertThat(got.get("jb/7").index()).isEqualTo(7);
        assertThat(table.getAll(java.util.Set.of("jb/3", "jb/600"))).containsOnlyKeys("jb/3");
    }

    @Test
    void apply_absentUnit_isMadeByAnIssueCarryingThePolicy_otherEventsRefused_noEntryLeftBehind() {
        Redundancy policy = new Redundancy(2, 2, 1, 4, false);
        Event.Issue toA = new Event.Issue(new WorkerRef("wa", null, null), 1_000, 60_000);

        UnitChange report = table.apply(new UnitTable.Step("jn/7", "noop", new Event.Cancel("x", 1_000), null, policy)).join();
        UnitChange noPolicy = table.apply("jn/7", "noop", toA).join();
        assertThat(report.accepted()).isFalse();
        assertThat(noPolicy.accepted()).isFalse();
        assertThat(units.containsKey("jn/7")).as("a refused event makes no entry").isFalse();

        UnitChange made = table.apply(new UnitTable.Step("jn/7", "noop", toA, null, policy)).join();
        assertThat(made.accepted()).isTrue();
        assertThat(made.unit().index()).isEqualTo(7);
        assertThat(units.get("jn/7").policy()).isEqualTo(policy);
        assertThat(units.get("jn/7").tasks()).extracting(t -> t.workerId()).containsExactly("wa", null);
    }
}
