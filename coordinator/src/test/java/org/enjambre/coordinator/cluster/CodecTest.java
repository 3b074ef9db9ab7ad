package org.enjambre.coordinator.cluster;

import org.enjambre.coordinator.store.UnitCodec;
import com.hazelcast.config.SerializationConfig;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.spec.Redundancy;
import org.enjambre.workunits.transition.Event;
import org.enjambre.workunits.transition.Transitioner;
import org.enjambre.workunits.trust.CredibilityAcceptance;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The binary forms of units and entry processors round-trip exactly, and older unit layouts still read. */
class CodecTest {
    private static final Redundancy CREDIBLE = new Redundancy(1, 1, 3, 6, false, 0.99, 0.2);
    private static final Transitioner TR = new Transitioner(Arrays::equals, CredibilityAcceptance.recorded());

    private static WorkUnit reported(double credibility) {
        WorkUnit u = TR.apply(WorkUnit.create("j-1", 7, CREDIBLE), new Event.Issue(new WorkerRef("w", "acct", null), 10, 1000)).unit();
        return TR.apply(u, new Event.Success(0, "w", "{\"count\":3}".getBytes(), 20, credibility)).unit();
    }

    @Test
    void aUnit_roundTrips_withEachResultsCredibility() {
        WorkUnit u = reported(0.9);
        assertThat(u.task(0).credibility()).isEqualTo(0.9);
        byte[] bytes = UnitCodec.encode(u);
        assertThat(bytes[0]).isEqualTo(UnitCodec.VERSION);
        assertThat(UnitCodec.decode(bytes)).isEqualTo(u);
    }

    @Test
    void aLayout2Unit_readsWithUnknownCredibility() {
        WorkUnit u = reported(0.9);
        byte[] v3 = UnitCodec.encode(u);
        // Layout 2 is layout 3 without the trailing credibility of each task (one task here).
        byte[] v2 = Arrays.copyOf(v3, v3.length - 8);
        v2[0] = 2;
        WorkUnit read = UnitCodec.decode(v2);
        assertThat(read.task(0).credibility()).isZero();
        assertThat(read).isEqualTo(new WorkUnit(u.jobId(), u.index(), u.policy(), u.state(),
                List.of(u.task(0).withCredibility(0)), u.canonical(), u.failure(), u.version()));
    }

    @Test
    void anUnknownLayout_isRefusedNamingIt() {
        byte[] bytes = UnitCodec.encode(reported(0.9));
        bytes[0] = 9;
        assertThatThrownBy(() -> UnitCodec.decode(bytes)).hasMessageContaining("corrupt work unit record")
                .hasStackTraceContaining("unknown work unit layout version 9");
    }

    @Test
    void aProcessorHandingOver_answersInMemoryWhereItWasMade_butInItsReplyOnceSerialized() {
        SerializationConfig config = new SerializationConfig();
        Serializers.register(config);
        SerializationService ss = new DefaultSerializationServiceBuilder().setConfig(config).build();
        Event.Issue issue = new Event.Issue(WorkerRef.of("w"), 1, 60_000);
        UnitProcessor mine = new UnitProcessor("noop", issue, null, CREDIBLE).handingOver();
        UnitProcessor elsewhere = ss.toObject(ss.toData(mine));

        UnitChange local = mine.process(new java.util.AbstractMap.SimpleEntry<>("jh/3", null));
        UnitChange remote = elsewhere.process(new java.util.AbstractMap.SimpleEntry<>("jh/4", null));

        assertThat(local).as("nothing for Hazelcast to serialize on the calling member").isNull();
        assertThat(mine.answer(local).accepted()).isTrue();
        assertThat(mine.answer(local).unit().index()).isEqualTo(3);
        assertThat(remote).as("a deserialized copy (another member) replies as usual").isNotNull();
        assertThat(elsewhere.answer(remote).unit().index()).isEqualTo(4);
        UnitChange refused = new UnitProcessor("noop", new Event.Cancel("x", 1)).handingOver()
                .process(new java.util.AbstractMap.SimpleEntry<>("jh/5", null));
        assertThat(refused).as("a refusal is handed over too").isNull();
    }

    @Test
    void everyEvent_roundTripsInsideItsProcessor() {
        SerializationConfig config = new SerializationConfig();
        Serializers.register(config);
        SerializationService ss = new DefaultSerializationServiceBuilder().setConfig(config).build();
        List<Event> events = List.of(
                new Event.Issue(new WorkerRef("w", "a", "h"), 1, 2),
                new Event.Issue(WorkerRef.of("w"), 1, 2),
                new Event.Success(1, "w", new byte[]{1, 2}, 3, 0.75),
                new Event.ClientError(0, "w", "boom", 4),
                new Event.DeadlinePassed(5),
                new Event.Cancel("stop", 6),
                new Event.Credible("w", 0.9918, 7),
                new Event.Stalled(8),
                new Event.Release("w", "worker w was revoked", 9));
        for (Event e : events) {
            UnitProcessor p = new UnitProcessor("primes", e, e instanceof Event.Issue ? CREDIBLE : null);
            UnitProcessor back = ss.toObject(ss.toData(p));
            assertThat(back.app()).isEqualTo("primes");
            assertThat(back.replan()).isEqualTo(p.replan());
            if (e instanceof Event.Success s) {
                Event.Success b = (Event.Success) back.event();
                assertThat(b.output()).isEqualTo(s.output());
                assertThat(b.credibility()).isEqualTo(0.75);
                assertThat(List.of(b.replica(), b.workerId(), b.now())).isEqualTo(List.of(s.replica(), s.workerId(), s.now()));
            } else {
                assertThat(back.event()).as("event %s", e).isEqualTo(e);
            }
            assertThat(back.backup()).as("the owner's processor").isFalse();
            UnitProcessor backup = ss.toObject(ss.toData(p.getBackupProcessor()));
            assertThat(backup.backup()).as("the backups' copy stays marked (it feeds no index)").isTrue();
            assertThat(backup.event().getClass()).isEqualTo(e.getClass());
            assertThat(backup.replan()).isEqualTo(p.replan());
        }
    }

    @Test
    void jobAndWorkerRecords_roundTripInBinary_nullsIncluded() {
        SerializationConfig config = new SerializationConfig();
        Serializers.register(config);
        SerializationService ss = new DefaultSerializationServiceBuilder().setConfig(config).build();
        org.enjambre.coordinator.model.JobRecord queued = new org.enjambre.coordinator.model.JobRecord("j-1", "name", "primes",
                "{\"app\":\"primes\"}", 100, -5, org.enjambre.workunits.model.JobState.QUEUED, 1, 0, 0, null, null, 1);
        org.enjambre.coordinator.model.JobRecord done = queued.completed("application/json", 9);
        for (org.enjambre.coordinator.model.JobRecord j : List.of(queued, done)) {
            assertThat((Object) ss.toObject(ss.toData(j))).isEqualTo(j);
        }
        org.enjambre.coordinator.model.WorkerRecord w = new org.enjambre.coordinator.model.WorkerRecord("w-1", "ab12",
                "box", "linux/amd64", 8, 16_000, List.of("primes", "noop"), null, "host-1", 5, 6, 1.25, 10, 1, 2, 13, 4,
                true, 7, 1, 42);
        assertThat((Object) ss.toObject(ss.toData(w))).isEqualTo(w);
        org.enjambre.coordinator.model.WorkerRecord bare = new org.enjambre.coordinator.model.WorkerRecord("w-2", "cd34",
                "x", "p", 1, 1, List.of(), "acct", null, 0, 0, 0, 0, 0, 0, 0, 0, false, 0, 0, 1);
        assertThat((Object) ss.toObject(ss.toData(bare))).isEqualTo(bare);
    }

    @Test
    void theFastCodec_writesExactlyWhatDataOutputStreamWrites_andReadsItBack() throws Exception {
        WorkUnit u = TR.apply(reported(0.9), new Event.Cancel("stopped: \u0000 caf\u00e9 \u20ac \ud83d\ude80 " + "x".repeat(300), 30)).unit();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            UnitCodec.write(u, out);
        }
        byte[] reference = bytes.toByteArray();
        assertThat(UnitCodec.encode(u)).isEqualTo(reference);
        assertThat(UnitCodec.decode(reference)).isEqualTo(u);
        assertThat(UnitCodec.read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(UnitCodec.encode(u))))).isEqualTo(u);
    }

    @Test
    void aTruncatedRecord_isRefusedAsCorrupt() {
        byte[] bytes = UnitCodec.encode(reported(0.9));
        byte[] cut = Arrays.copyOf(bytes, bytes.length / 2);
        assertThatThrownBy(() -> UnitCodec.decode(cut)).hasMessageContaining("corrupt work unit record")
                .hasStackTraceContaining("more needed");
    }

    @Test
    void aUnitChange_withEveryEffect_roundTrips() {
        SerializationConfig config = new SerializationConfig();
        Serializers.register(config);
        SerializationService ss = new DefaultSerializationServiceBuilder().setConfig(config).build();
        UnitChange c = new UnitChange(reported(0.5), true, List.of(new org.enjambre.workunits.transition.Effect.Issued(0, "w"),
                new org.enjambre.workunits.transition.Effect.ReplicasCreated(2),
                new org.enjambre.workunits.transition.Effect.Judged(1, "w", true),
                new org.enjambre.workunits.transition.Effect.Errored(1, "w", true),
                new org.enjambre.workunits.transition.Effect.Released(3, "v"),
                new org.enjambre.workunits.transition.Effect.Done(1),
                new org.enjambre.workunits.transition.Effect.Failed("why")), null);
        assertThat((Object) ss.toObject(ss.toData(c))).isEqualTo(c);
    }
}
