package org.enjambre.coordinator.cluster;

import org.enjambre.coordinator.store.UnitCodec;
import com.hazelcast.config.SerializationConfig;
import com.hazelcast.config.SerializerConfig;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.StreamSerializer;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.transition.Decision;
import org.enjambre.workunits.transition.Effect;

/** The serializers of values kept in Hazelcast maps, with their type ids registered in this one place. */
public final class Serializers {
    public static final int WORK_UNIT = 1001;
    /** Type ids 1002 and 1003 were JSON job and worker records (first release); binary since the second. */
    public static final int JOB_RECORD = 1006;
    /** 1007 was the worker record without its visit history (before issue 18's visit sizing). */
    public static final int WORKER_RECORD = 1012;
    public static final int UNIT_CHANGE = 1004;
    public static final int UNIT_PROCESSOR = 1005;
    /** A peer question asked ({@link PeerQueries}), a peer tell, a peer's status answer. */
    public static final int PEER_CALL = 1008;
    public static final int PEER_TELL = 1009;
    public static final int PEER_STATUS = 1010;
    /** The answer to {@link PeerQuestion.CountJobs}. */
    public static final int PEER_JOB_COUNTS = 1011;
    /** A block's events ({@link BatchProcessor}). */
    public static final int BATCH_PROCESSOR = 1013;

    private Serializers() {
    }

    public static void register(SerializationConfig config) {
        config.addSerializerConfig(new SerializerConfig().setTypeClass(WorkUnit.class).setImplementation(new UnitSerializer()));
        config.addSerializerConfig(new SerializerConfig().setTypeClass(JobRecord.class).setImplementation(new JobSerializer()));
        config.addSerializerConfig(new SerializerConfig().setTypeClass(WorkerRecord.class).setImplementation(new WorkerSerializer()));
        config.addSerializerConfig(new SerializerConfig().setTypeClass(UnitChange.class).setImplementation(new ChangeSerializer()));
        config.addSerializerConfig(new SerializerConfig().setTypeClass(UnitProcessor.class).setImplementation(new ProcessorSerializer()));
        config.addSerializerConfig(new SerializerConfig().setTypeClass(BatchProcessor.class).setImplementation(new BatchSerializer()));
        config.addSerializerConfig(new SerializerConfig().setTypeClass(PeerQueries.Call.class).setImplementation(new CallSerializer()));
        config.addSerializerConfig(new SerializerConfig().setTypeClass(PeerQueries.Tell.class).setImplementation(new TellSerializer()));
        config.addSerializerConfig(new SerializerConfig().setTypeClass(PeerQuestion.PeerStatus.class).setImplementation(new StatusSerializer()));
        config.addSerializerConfig(new SerializerConfig().setTypeClass(PeerQuestion.JobCounts.class).setImplementation(new JobCountsSerializer()));
    }

    /** The answer to {@link PeerQuestion.CountJobs} in {@link PeerCodec}'s form. */
    static final class JobCountsSerializer implements StreamSerializer<PeerQuestion.JobCounts> {
        @Override
        public void write(ObjectDataOutput out, PeerQuestion.JobCounts c) throws java.io.IOException {
            PeerCodec.writeJobCounts(out, c);
        }

        @Override
        public PeerQuestion.JobCounts read(ObjectDataInput in) throws java.io.IOException {
            return PeerCodec.readJobCounts(in);
        }

        @Override
        public int getTypeId() {
            return PEER_JOB_COUNTS;
        }
    }

    /** A peer question asked: the question in {@link PeerCodec}'s form. */
    @SuppressWarnings("rawtypes")
    static final class CallSerializer implements StreamSerializer<PeerQueries.Call> {
        @Override
        public void write(ObjectDataOutput out, PeerQueries.Call c) throws java.io.IOException {
            PeerCodec.write(out, c.question);
        }

        @Override
        public PeerQueries.Call read(ObjectDataInput in) throws java.io.IOException {
            return new PeerQueries.Call<>(PeerCodec.read(in));
        }

        @Override
        public int getTypeId() {
            return PEER_CALL;
        }
    }

    /** A peer tell: the question in {@link PeerCodec}'s form. */
    static final class TellSerializer implements StreamSerializer<PeerQueries.Tell> {
        @Override
        public void write(ObjectDataOutput out, PeerQueries.Tell t) throws java.io.IOException {
            PeerCodec.write(out, t.question);
        }

        @Override
        public PeerQueries.Tell read(ObjectDataInput in) throws java.io.IOException {
            return new PeerQueries.Tell(PeerCodec.read(in));
        }

        @Override
        public int getTypeId() {
            return PEER_TELL;
        }
    }

    static final class StatusSerializer implements StreamSerializer<PeerQuestion.PeerStatus> {
        @Override
        public void write(ObjectDataOutput out, PeerQuestion.PeerStatus s) throws java.io.IOException {
            PeerCodec.writeStatus(out, s);
        }

        @Override
        public PeerQuestion.PeerStatus read(ObjectDataInput in) throws java.io.IOException {
            return PeerCodec.readStatus(in);
        }

        @Override
        public int getTypeId() {
            return PEER_STATUS;
        }
    }

    static final class ChangeSerializer implements StreamSerializer<UnitChange> {
        @Override
        public void write(ObjectDataOutput out, UnitChange c) throws java.io.IOException {
            out.writeByteArray(c.unit() == null ? null : UnitCodec.encode(c.unit()));
            out.writeBoolean(c.changed());
            out.writeInt(c.effects().size());
            for (Effect e : c.effects()) {
                EventCodec.writeEffect(out, e);
            }
            out.writeBoolean(c.rejection() != null);
            if (c.rejection() != null) {
                out.writeByte(c.rejection().reason().ordinal());
                out.writeString(c.rejection().message());
            }
        }

        @Override
        public UnitChange read(ObjectDataInput in) throws java.io.IOException {
            byte[] unit = in.readByteArray();
            boolean changed = in.readBoolean();
            int n = in.readInt();
            java.util.List<Effect> effects = new java.util.ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                effects.add(EventCodec.readEffect(in));
            }
            Decision.Rejection rejection = null;
            if (in.readBoolean()) {
                rejection = new Decision.Rejection(Decision.Reason.values()[in.readByte()], in.readString());
            }
            return new UnitChange(unit == null ? null : UnitCodec.decode(unit), changed, effects, rejection);
        }

        @Override
        public int getTypeId() {
            return UNIT_CHANGE;
        }
    }

    static final class ProcessorSerializer implements StreamSerializer<UnitProcessor> {
        @Override
        public void write(ObjectDataOutput out, UnitProcessor p) throws java.io.IOException {
            out.writeString(p.app());
            EventCodec.writeEvent(out, p.event());
            writeRedundancy(out, p.replan());
            writeRedundancy(out, p.fresh());
            out.writeBoolean(p.backup());
        }

        private static void writeRedundancy(ObjectDataOutput out, org.enjambre.workunits.spec.Redundancy r) throws java.io.IOException {
            out.writeBoolean(r != null);
            if (r != null) {
                out.writeInt(r.replicas());
                out.writeInt(r.quorum());
                out.writeInt(r.maxErrors());
                out.writeInt(r.maxResults());
                out.writeBoolean(r.adaptive());
                out.writeDouble(r.credibility());
                out.writeDouble(r.spotCheckRate());
            }
        }

        private static org.enjambre.workunits.spec.Redundancy readRedundancy(ObjectDataInput in) throws java.io.IOException {
            if (!in.readBoolean()) {
                return null;
            }
            return new org.enjambre.workunits.spec.Redundancy(in.readInt(), in.readInt(), in.readInt(), in.readInt(),
                    in.readBoolean(), in.readDouble(), in.readDouble());
        }

        @Override
        public UnitProcessor read(ObjectDataInput in) throws java.io.IOException {
            String app = in.readString();
            org.enjambre.workunits.transition.Event e = EventCodec.readEvent(in);
            org.enjambre.workunits.spec.Redundancy r = readRedundancy(in);
            org.enjambre.workunits.spec.Redundancy fresh = readRedundancy(in);
            return new UnitProcessor(app, e, r, fresh, in.readBoolean());
        }

        @Override
        public int getTypeId() {
            return UNIT_PROCESSOR;
        }
    }

    /** A block's events: the count, then each key and its processor as {@link ProcessorSerializer} writes it. */
    static final class BatchSerializer implements StreamSerializer<BatchProcessor> {
        private final ProcessorSerializer processors = new ProcessorSerializer();

        @Override
        public void write(ObjectDataOutput out, BatchProcessor b) throws java.io.IOException {
            out.writeInt(b.byKey().size());
            for (java.util.Map.Entry<String, UnitProcessor> e : b.byKey().entrySet()) {
                out.writeString(e.getKey());
                processors.write(out, e.getValue());
            }
        }

        @Override
        public BatchProcessor read(ObjectDataInput in) throws java.io.IOException {
            int n = in.readInt();
            if (n < 0 || n > 1 << 20) {
                throw new java.io.IOException("a block of " + n + " unit events");
            }
            java.util.Map<String, UnitProcessor> byKey = new java.util.LinkedHashMap<>(n * 2);
            for (int i = 0; i < n; i++) {
                byKey.put(in.readString(), processors.read(in));
            }
            return new BatchProcessor(byKey);
        }

        @Override
        public int getTypeId() {
            return BATCH_PROCESSOR;
        }
    }

    static final class UnitSerializer implements StreamSerializer<WorkUnit> {
        @Override
        public void write(ObjectDataOutput out, WorkUnit unit) throws java.io.IOException {
            out.writeByteArray(UnitCodec.encode(unit));
        }

        @Override
        public WorkUnit read(ObjectDataInput in) throws java.io.IOException {
            return UnitCodec.decode(in.readByteArray());
        }

        @Override
        public int getTypeId() {
            return WORK_UNIT;
        }
    }

    /**
     * Job records in binary (they were JSON, and every job lookup of every fetch and report parsed it):
     * the fields in declaration order, strings nullable.
     */
    static final class JobSerializer implements StreamSerializer<JobRecord> {
        @Override
        public void write(ObjectDataOutput out, JobRecord j) throws java.io.IOException {
            out.writeString(j.id());
            out.writeString(j.name());
            out.writeString(j.app());
            out.writeString(j.spec());
            out.writeInt(j.workUnits());
            out.writeInt(j.priority());
            out.writeByte(j.state().ordinal());
            out.writeLong(j.submittedAt());
            out.writeLong(j.startedAt());
            out.writeLong(j.finishedAt());
            out.writeString(j.failure());
            out.writeString(j.resultType());
            out.writeLong(j.version());
        }

        @Override
        public JobRecord read(ObjectDataInput in) throws java.io.IOException {
            return new JobRecord(in.readString(), in.readString(), in.readString(), in.readString(), in.readInt(), in.readInt(),
                    org.enjambre.workunits.model.JobState.values()[in.readByte()], in.readLong(), in.readLong(), in.readLong(),
                    in.readString(), in.readString(), in.readLong());
        }

        @Override
        public int getTypeId() {
            return JOB_RECORD;
        }
    }

    /** Worker records in binary (they were JSON, parsed and written again by every report's statistics update). */
    static final class WorkerSerializer implements StreamSerializer<WorkerRecord> {
        @Override
        public void write(ObjectDataOutput out, WorkerRecord w) throws java.io.IOException {
            out.writeString(w.id());
            out.writeString(w.tokenHash());
            out.writeString(w.name());
            out.writeString(w.platform());
            out.writeInt(w.cores());
            out.writeLong(w.memoryMb());
            out.writeStringArray(w.apps().toArray(new String[0]));
            out.writeString(w.account());
            out.writeString(w.host());
            out.writeLong(w.registeredAt());
            out.writeLong(w.lastSeen());
            out.writeDouble(w.credit());
            out.writeLong(w.valid());
            out.writeLong(w.invalid());
            out.writeLong(w.errors());
            out.writeLong(w.reportedTasks());
            out.writeLong(w.consecutiveValid());
            out.writeBoolean(w.blacklisted());
            out.writeLong(w.spotChecksPassed());
            out.writeLong(w.spotChecksFailed());
            out.writeLong(w.version());
            out.writeLong(w.visit().visits());
            out.writeLong(w.visit().typicalMillis());
            out.writeDouble(w.visit().speed());
            out.writeLong(w.visit().speedSamples());
        }

        @Override
        public WorkerRecord read(ObjectDataInput in) throws java.io.IOException {
            return new WorkerRecord(in.readString(), in.readString(), in.readString(), in.readString(), in.readInt(), in.readLong(),
                    java.util.List.of(in.readStringArray()), in.readString(), in.readString(), in.readLong(), in.readLong(),
                    in.readDouble(), in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readBoolean(),
                    in.readLong(), in.readLong(), in.readLong(),
                    new org.enjambre.coordinator.model.VisitStats(in.readLong(), in.readLong(), in.readDouble(), in.readLong()));
        }

        @Override
        public int getTypeId() {
            return WORKER_RECORD;
        }
    }
}
