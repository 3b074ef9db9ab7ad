package org.enjambre.coordinator.cluster;

import org.enjambre.workunits.model.Outcome;
import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.TaskState;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.ValidateState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.spec.Redundancy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one binary form of a {@link WorkUnit}: in Hazelcast (memory, backups, migrations) and in the
 * durable store. Fields are written and read in the same order; {@link #VERSION} changes when the
 * layout does. Compact: a fresh two-replica unit takes about 40 bytes plus its job id.
 */
public final class UnitCodec {
    /** Layout version, first byte of every encoded unit (3: each task's credibility; 2 is still read). */
    public static final byte VERSION = 3;

    private UnitCodec() {
    }

    public static byte[] encode(WorkUnit unit) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + unit.tasks().size() * 32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(unit, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static WorkUnit decode(byte[] data) {
        try {
            return read(new DataInputStream(new ByteArrayInputStream(data)));
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt work unit record", e);
        }
    }

    public static void write(WorkUnit u, DataOutput out) throws IOException {
        out.writeByte(VERSION);
        out.writeUTF(u.jobId());
        out.writeInt(u.index());
        Redundancy p = u.policy();
        out.writeByte(p.replicas());
        out.writeByte(p.quorum());
        out.writeByte(p.maxErrors());
        out.writeByte(p.maxResults());
        out.writeBoolean(p.adaptive());
        out.writeDouble(p.credibility());
        out.writeDouble(p.spotCheckRate());
        out.writeByte(u.state().ordinal());
        out.writeShort(u.canonical());
        writeNullable(out, u.failure());
        out.writeLong(u.version());
        out.writeByte(u.tasks().size());
        for (Task t : u.tasks()) {
            out.writeByte(t.state().ordinal());
            out.writeByte(t.outcome().ordinal());
            out.writeByte(t.validate().ordinal());
            WorkerRef w = t.worker();
            out.writeBoolean(w != null);
            if (w != null) {
                out.writeUTF(w.workerId());
                writeNullable(out, w.accountId());
                writeNullable(out, w.hostId());
            }
            out.writeLong(t.sentAt());
            out.writeLong(t.deadline());
            out.writeLong(t.reportedAt());
            byte[] o = t.output();
            out.writeInt(o == null ? -1 : o.length);
            if (o != null) {
                out.write(o);
            }
            out.writeLong(t.digest());
            writeNullable(out, t.error());
            out.writeDouble(t.credibility());
        }
    }

    public static WorkUnit read(DataInput in) throws IOException {
        byte version = in.readByte();
        if (version != VERSION && version != 2) {
            throw new IOException("unknown work unit layout version " + version);
        }
        String jobId = in.readUTF();
        int index = in.readInt();
        Redundancy policy = new Redundancy(in.readByte(), in.readByte(), in.readByte(), in.readByte(), in.readBoolean(),
                in.readDouble(), in.readDouble());
        UnitState state = UnitState.values()[in.readByte()];
        int canonical = in.readShort();
        String failure = readNullable(in);
        long v = in.readLong();
        int n = in.readByte();
        List<Task> tasks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            TaskState ts = TaskState.values()[in.readByte()];
            Outcome oc = Outcome.values()[in.readByte()];
            ValidateState vs = ValidateState.values()[in.readByte()];
            WorkerRef w = null;
            if (in.readBoolean()) {
                w = new WorkerRef(in.readUTF(), readNullable(in), readNullable(in));
            }
            long sentAt = in.readLong();
            long deadline = in.readLong();
            long reportedAt = in.readLong();
            int len = in.readInt();
            byte[] output = null;
            if (len >= 0) {
                output = new byte[len];
                in.readFully(output);
            }
            long digest = in.readLong();
            String error = readNullable(in);
            double credibility = version >= 3 ? in.readDouble() : 0;
            tasks.add(new Task(i, w, ts, oc, vs, sentAt, deadline, reportedAt, output, digest, error, credibility));
        }
        return new WorkUnit(jobId, index, policy, state, tasks, canonical, failure, v);
    }

    private static void writeNullable(DataOutput out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s.length() > 16_000 ? s.substring(0, 16_000) : s);
        }
    }

    private static String readNullable(DataInput in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
