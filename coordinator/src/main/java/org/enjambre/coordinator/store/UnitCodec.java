package org.enjambre.coordinator.store;

import org.enjambre.workunits.model.Outcome;
import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.TaskState;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.ValidateState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.spec.Redundancy;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one binary form of a {@link WorkUnit}: in Hazelcast (memory, backups, migrations) and in the
 * durable store. Fields are written and read in the same order; {@link #VERSION} changes when the
 * layout does. Compact: a fresh two-replica unit takes about 40 bytes plus its job id.
 *
 * <p>Size (~370 lines): the codec is ~130; the rest are its allocation-light {@code DataOutput}/{@code DataInput}
 * over byte arrays ({@code ByteOut}, {@code ByteIn}), which only it uses.
 */
public final class UnitCodec {
    /** Layout version, first byte of every encoded unit (3: each task's credibility; 2 is still read). */
    public static final byte VERSION = 3;

    private UnitCodec() {
    }

    public static byte[] encode(WorkUnit unit) {
        ByteOut out = new ByteOut(64 + unit.tasks().size() * 48);
        try {
            write(unit, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static WorkUnit decode(byte[] data) {
        try {
            return read(new ByteIn(data));
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException("corrupt work unit record", e instanceof IOException io ? io : new IOException(e));
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

    /**
     * A growable big-endian byte array with {@link DataOutput}'s encoding (modified UTF-8 for strings), without
     * {@code DataOutputStream}'s synchronized per-byte writes into a {@code ByteArrayOutputStream}.
     */
    static final class ByteOut implements DataOutput {
        private byte[] buf;
        private int size;

        ByteOut(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }

        byte[] toByteArray() {
            return java.util.Arrays.copyOf(buf, size);
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b) {
            write(b, 0, b.length);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, size, len);
            size += len;
        }

        @Override
        public void writeBoolean(boolean v) {
            write(v ? 1 : 0);
        }

        @Override
        public void writeByte(int v) {
            write(v);
        }

        @Override
        public void writeShort(int v) {
            ensure(2);
            buf[size++] = (byte) (v >>> 8);
            buf[size++] = (byte) v;
        }

        @Override
        public void writeChar(int v) {
            writeShort(v);
        }

        @Override
        public void writeInt(int v) {
            ensure(4);
            buf[size++] = (byte) (v >>> 24);
            buf[size++] = (byte) (v >>> 16);
            buf[size++] = (byte) (v >>> 8);
            buf[size++] = (byte) v;
        }

        @Override
        public void writeLong(long v) {
            writeInt((int) (v >>> 32));
            writeInt((int) v);
        }

        @Override
        public void writeFloat(float v) {
            writeInt(Float.floatToIntBits(v));
        }

        @Override
        public void writeDouble(double v) {
            writeLong(Double.doubleToLongBits(v));
        }

        @Override
        public void writeBytes(String s) {
            for (int i = 0; i < s.length(); i++) {
                write(s.charAt(i));
            }
        }

        @Override
        public void writeChars(String s) {
            for (int i = 0; i < s.length(); i++) {
                writeChar(s.charAt(i));
            }
        }

        @Override
        public void writeUTF(String s) throws IOException {
            int n = s.length();
            long bytes = n;
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c == 0 || c > 0x7f) {
                    bytes += c > 0x7ff ? 2 : 1;
                }
            }
            if (bytes > 65535) {
                throw new java.io.UTFDataFormatException("string of " + bytes + " bytes is too long for modified UTF-8");
            }
            writeShort((int) bytes);
            ensure((int) bytes);
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c != 0 && c <= 0x7f) {
                    buf[size++] = (byte) c;
                } else if (c <= 0x7ff) {
                    buf[size++] = (byte) (0xc0 | (c >> 6));
                    buf[size++] = (byte) (0x80 | (c & 0x3f));
                } else {
                    buf[size++] = (byte) (0xe0 | (c >> 12));
                    buf[size++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                    buf[size++] = (byte) (0x80 | (c & 0x3f));
                }
            }
        }
    }

    /** Reads what {@link ByteOut} (or a {@code DataOutputStream}) wrote, from a byte array, without locks. */
    static final class ByteIn implements DataInput {
        private final byte[] buf;
        private int pos;

        ByteIn(byte[] buf) {
            this.buf = buf;
        }

        private int need(int n) throws IOException {
            if (pos + n > buf.length) {
                throw new java.io.EOFException("record ends after " + buf.length + " bytes, " + n + " more needed at " + pos);
            }
            int at = pos;
            pos += n;
            return at;
        }

        @Override
        public void readFully(byte[] b) throws IOException {
            readFully(b, 0, b.length);
        }

        @Override
        public void readFully(byte[] b, int off, int len) throws IOException {
            System.arraycopy(buf, need(len), b, off, len);
        }

        @Override
        public int skipBytes(int n) throws IOException {
            need(n);
            return n;
        }

        @Override
        public boolean readBoolean() throws IOException {
            return buf[need(1)] != 0;
        }

        @Override
        public byte readByte() throws IOException {
            return buf[need(1)];
        }

        @Override
        public int readUnsignedByte() throws IOException {
            return buf[need(1)] & 0xff;
        }

        @Override
        public short readShort() throws IOException {
            int at = need(2);
            return (short) ((buf[at] << 8) | (buf[at + 1] & 0xff));
        }

        @Override
        public int readUnsignedShort() throws IOException {
            return readShort() & 0xffff;
        }

        @Override
        public char readChar() throws IOException {
            return (char) readShort();
        }

        @Override
        public int readInt() throws IOException {
            int at = need(4);
            return (buf[at] << 24) | ((buf[at + 1] & 0xff) << 16) | ((buf[at + 2] & 0xff) << 8) | (buf[at + 3] & 0xff);
        }

        @Override
        public long readLong() throws IOException {
            return ((long) readInt() << 32) | (readInt() & 0xffffffffL);
        }

        @Override
        public float readFloat() throws IOException {
            return Float.intBitsToFloat(readInt());
        }

        @Override
        public double readDouble() throws IOException {
            return Double.longBitsToDouble(readLong());
        }

        @Override
        public String readLine() {
            throw new UnsupportedOperationException("readLine");
        }

        @Override
        public String readUTF() throws IOException {
            return DataInputStream.readUTF(this);
        }
    }
}
