package org.enjambre.coordinator.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import org.enjambre.workunits.model.WorkerRef;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * The binary form of {@link PeerQuestion}s: a kind id, then the record's fields in declaration order. Kind ids
 * are fixed forever (a peer of another build must read them); add new kinds at the end, never reuse one.
 */
final class PeerCodec {
    static final byte COUNT_UNITS = 1;
    static final byte COUNT_TASKS = 2;
    static final byte DESCRIBE = 3;
    static final byte FIND_READY = 4;
    static final byte CREDIBILITY_RAISED = 5;
    static final byte RELEASE_REPLICAS = 6;
    static final byte COUNT_JOBS = 7;
    /** The most entries of a {@code long[]} on the wire (unit states, task counters: a handful). */
    private static final int MAX_COUNTS = 64;
    /** The most strings a set on the wire may hold (a worker's sync holds at most 4,096 task ids). */
    private static final int MAX_SET = 65_536;

    private PeerCodec() {
    }

    static void write(ObjectDataOutput out, PeerQuestion<?> q) throws IOException {
        if (q instanceof PeerQuestion.CountUnits c) {
            out.writeByte(COUNT_UNITS);
            out.writeString(c.jobId());
        } else if (q instanceof PeerQuestion.CountTasks c) {
            out.writeByte(COUNT_TASKS);
            out.writeString(c.jobId());
        } else if (q instanceof PeerQuestion.Describe) {
            out.writeByte(DESCRIBE);
        } else if (q instanceof PeerQuestion.FindReady f) {
            out.writeByte(FIND_READY);
            out.writeString(f.worker().workerId());
            out.writeString(f.worker().accountId());
            out.writeString(f.worker().hostId());
            writeSet(out, f.apps());
            out.writeInt(f.max());
        } else if (q instanceof PeerQuestion.CredibilityRaised c) {
            out.writeByte(CREDIBILITY_RAISED);
            out.writeString(c.workerId());
            out.writeDouble(c.credibility());
        } else if (q instanceof PeerQuestion.ReleaseReplicas r) {
            out.writeByte(RELEASE_REPLICAS);
            out.writeString(r.workerId());
            writeSet(out, r.keep());
            out.writeString(r.reason());
        } else if (q instanceof PeerQuestion.CountJobs c) {
            out.writeByte(COUNT_JOBS);
            writeSet(out, c.jobIds());
        } else {
            throw new IllegalArgumentException("no wire form for peer question " + q);
        }
    }

    static PeerQuestion<?> read(ObjectDataInput in) throws IOException {
        byte kind = in.readByte();
        return switch (kind) {
            case COUNT_UNITS -> new PeerQuestion.CountUnits(in.readString());
            case COUNT_TASKS -> new PeerQuestion.CountTasks(in.readString());
            case DESCRIBE -> new PeerQuestion.Describe();
            case FIND_READY -> new PeerQuestion.FindReady(new WorkerRef(in.readString(), in.readString(), in.readString()),
                    readSet(in), in.readInt());
            case CREDIBILITY_RAISED -> new PeerQuestion.CredibilityRaised(in.readString(), in.readDouble());
            case RELEASE_REPLICAS -> new PeerQuestion.ReleaseReplicas(in.readString(), readSet(in), in.readString());
            case COUNT_JOBS -> new PeerQuestion.CountJobs(readSet(in));
            default -> throw new IOException("unknown peer question kind " + kind + " (a peer of a newer release?)");
        };
    }

    static void writeStatus(ObjectDataOutput out, PeerQuestion.PeerStatus s) throws IOException {
        out.writeString(s.id());
        out.writeLong(s.units());
        out.writeLong(s.readyUnits());
        out.writeLong(s.tasksReported());
        out.writeString(s.http());
        out.writeLong(s.workers());
    }

    static PeerQuestion.PeerStatus readStatus(ObjectDataInput in) throws IOException {
        return new PeerQuestion.PeerStatus(in.readString(), in.readLong(), in.readLong(), in.readLong(), in.readString(),
                in.readLong());
    }

    /** Job id, then units and tasks as length-prefixed {@code long}s, per job; the entry count first. */
    static void writeJobCounts(ObjectDataOutput out, PeerQuestion.JobCounts c) throws IOException {
        out.writeInt(c.byJob().size());
        for (var e : c.byJob().entrySet()) {
            out.writeString(e.getKey());
            writeLongs(out, e.getValue().units());
            writeLongs(out, e.getValue().tasks());
        }
    }

    static PeerQuestion.JobCounts readJobCounts(ObjectDataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_SET) {
            throw new IOException("counts of " + n + " jobs in a peer answer");
        }
        java.util.Map<String, PeerQuestion.Counts> byJob = new java.util.HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            byJob.put(in.readString(), new PeerQuestion.Counts(readLongs(in), readLongs(in)));
        }
        return new PeerQuestion.JobCounts(byJob);
    }

    private static void writeLongs(ObjectDataOutput out, long[] a) throws IOException {
        out.writeInt(a.length);
        for (long v : a) {
            out.writeLong(v);
        }
    }

    private static long[] readLongs(ObjectDataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_COUNTS) {
            throw new IOException(n + " counters in a peer answer");
        }
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
            a[i] = in.readLong();
        }
        return a;
    }

    private static void writeSet(ObjectDataOutput out, Set<String> set) throws IOException {
        out.writeInt(set.size());
        for (String s : set) {
            out.writeString(s);
        }
    }

    private static Set<String> readSet(ObjectDataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_SET) {
            throw new IOException("a set of " + n + " strings in a peer question");
        }
        Set<String> out = new HashSet<>(n * 2);
        for (int i = 0; i < n; i++) {
            out.add(in.readString());
        }
        return out;
    }
}
