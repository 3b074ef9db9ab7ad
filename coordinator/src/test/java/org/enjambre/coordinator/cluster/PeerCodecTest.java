package org.enjambre.coordinator.cluster;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import org.enjambre.workunits.model.WorkerRef;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Every peer question and tell round-trips through its registered serializer; none travels as Java serialization. */
class PeerCodecTest {
    private static final List<PeerQuestion<?>> EVERY_KIND = List.of(
            new PeerQuestion.CountUnits("j-1"),
            new PeerQuestion.CountTasks("j-2"),
            new PeerQuestion.Describe(),
            new PeerQuestion.FindReady(new WorkerRef("w", "acct", null), Set.of("primes", "noop"), 16),
            new PeerQuestion.FindReady(WorkerRef.of("w"), Set.of(), 1),
            new PeerQuestion.CredibilityRaised("w-9", 0.9918),
            new PeerQuestion.ReleaseReplicas("w-3", Set.of("j-1/0/1", "j-1/7/0"), "worker w-3 was revoked"),
            new PeerQuestion.CountJobs(Set.of("j-1", "j-2", "j-3")),
            new PeerQuestion.CountJobs(Set.of()));

    private final SerializationService ss = service();

    private static SerializationService service() {
        SerializationConfig config = new SerializationConfig();
        Serializers.register(config);
        return new DefaultSerializationServiceBuilder().setConfig(config).build();
    }

    @Test
    void everyQuestion_roundTripsAsACall_withItsTypeId() {
        assertThat(EVERY_KIND.stream().map(Object::getClass).distinct().toList())
                .containsExactlyInAnyOrderElementsOf(PeerQuestion.kinds());
        for (PeerQuestion<?> q : EVERY_KIND) {
            Data data = ss.toData(new PeerQueries.Call<>(q));
            assertThat(data.getType()).isEqualTo(Serializers.PEER_CALL);
            PeerQueries.Call<?> back = ss.toObject(data);
            assertThat(back.question).as("question %s", q).isEqualTo(q);
        }
    }

    @Test
    void everyQuestion_roundTripsAsATell_withItsTypeId() {
        for (PeerQuestion<?> q : EVERY_KIND) {
            Data data = ss.toData(new PeerQueries.Tell(q));
            assertThat(data.getType()).isEqualTo(Serializers.PEER_TELL);
            PeerQueries.Tell back = ss.toObject(data);
            assertThat(back.question).isEqualTo(q);
        }
    }

    @Test
    void aPeerStatus_roundTrips_nullAddressIncluded() {
        for (PeerQuestion.PeerStatus s : List.of(new PeerQuestion.PeerStatus("id-1", 10, 2, 300, "http://127.0.0.1:1", 7),
                new PeerQuestion.PeerStatus("id-2", 0, 0, 0, null, 0))) {
            Data data = ss.toData(s);
            assertThat(data.getType()).isEqualTo(Serializers.PEER_STATUS);
            assertThat((Object) ss.toObject(data)).isEqualTo(s);
        }
    }

    @Test
    void jobCounts_roundTrip_withTheirTypeId_emptyIncluded() {
        for (PeerQuestion.JobCounts c : List.of(
                new PeerQuestion.JobCounts(java.util.Map.of(
                        "j-1", new PeerQuestion.Counts(new long[]{3, 1, 0, 2, 0}, new long[]{9, 7, 6, 1, 0}),
                        "j-2", new PeerQuestion.Counts(new long[]{0, 0, 0, 0, 5}, new long[]{5, 5, 5, 0, 0}))),
                new PeerQuestion.JobCounts(java.util.Map.of()))) {
            Data data = ss.toData(c);
            assertThat(data.getType()).isEqualTo(Serializers.PEER_JOB_COUNTS);
            assertThat((Object) ss.toObject(data)).isEqualTo(c);
        }
    }

    @Test
    void jobCounts_withAnAbsurdCounterLength_areRefused() {
        byte[] bytes = ss.toData(new PeerQuestion.JobCounts(java.util.Map.of(
                "j", new PeerQuestion.Counts(new long[0], new long[0])))).toByteArray();
        // the last int is the tasks array's length (0): make it 1,000,000
        int at = bytes.length - 4;
        java.nio.ByteBuffer.wrap(bytes, at, 4).putInt(1_000_000);
        Data corrupt = new com.hazelcast.internal.serialization.impl.HeapData(bytes);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ss.toObject(corrupt))
                .hasStackTraceContaining("1000000 counters in a peer answer");
    }

    @Test
    void anUnknownKind_isRefusedNamingIt() {
        byte[] bytes = ss.toData(new PeerQueries.Call<>(new PeerQuestion.Describe())).toByteArray();
        bytes[bytes.length - 1] = 99; // the kind byte is the last one of a Describe
        Data corrupt = new com.hazelcast.internal.serialization.impl.HeapData(bytes);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ss.toObject(corrupt))
                .hasStackTraceContaining("unknown peer question kind 99");
    }
}
