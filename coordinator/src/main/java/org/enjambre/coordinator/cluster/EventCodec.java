package org.enjambre.coordinator.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.transition.Effect;
import org.enjambre.workunits.transition.Event;

import java.io.IOException;

/** Binary forms of events and effects for Hazelcast, written and read in the same field order. */
final class EventCodec {
    private EventCodec() {
    }

    static void writeEvent(ObjectDataOutput out, Event e) throws IOException {
        if (e instanceof Event.Issue i) {
            out.writeByte(0);
            out.writeString(i.worker().workerId());
            out.writeString(i.worker().accountId());
            out.writeString(i.worker().hostId());
            out.writeLong(i.now());
            out.writeLong(i.deadline());
        } else if (e instanceof Event.Success s) {
            out.writeByte(1);
            out.writeInt(s.replica());
            out.writeString(s.workerId());
            out.writeByteArray(s.output());
            out.writeLong(s.now());
            out.writeDouble(s.credibility());
        } else if (e instanceof Event.ClientError c) {
            out.writeByte(2);
            out.writeInt(c.replica());
            out.writeString(c.workerId());
            out.writeString(c.message());
            out.writeLong(c.now());
        } else if (e instanceof Event.DeadlinePassed d) {
            out.writeByte(3);
            out.writeLong(d.now());
        } else if (e instanceof Event.Cancel c) {
            out.writeByte(4);
            out.writeString(c.reason());
            out.writeLong(c.now());
        } else if (e instanceof Event.Credible c) {
            out.writeByte(5);
            out.writeString(c.workerId());
            out.writeDouble(c.credibility());
            out.writeLong(c.now());
        } else if (e instanceof Event.Release r) {
            out.writeByte(7);
            out.writeString(r.workerId());
            out.writeString(r.reason());
            out.writeLong(r.now());
        } else if (e instanceof Event.Stalled s) {
            out.writeByte(6);
            out.writeLong(s.now());
        } else {
            throw new IOException("unknown event " + e);
        }
    }

    static Event readEvent(ObjectDataInput in) throws IOException {
        byte type = in.readByte();
        switch (type) {
            case 0: {
                WorkerRef w = new WorkerRef(in.readString(), in.readString(), in.readString());
                return new Event.Issue(w, in.readLong(), in.readLong());
            }
            case 1:
                return new Event.Success(in.readInt(), in.readString(), in.readByteArray(), in.readLong(), in.readDouble());
            case 2:
                return new Event.ClientError(in.readInt(), in.readString(), in.readString(), in.readLong());
            case 3:
                return new Event.DeadlinePassed(in.readLong());
            case 4:
                return new Event.Cancel(in.readString(), in.readLong());
            case 5:
                return new Event.Credible(in.readString(), in.readDouble(), in.readLong());
            case 6:
                return new Event.Stalled(in.readLong());
            case 7:
                return new Event.Release(in.readString(), in.readString(), in.readLong());
            default:
                throw new IOException("unknown event type " + type);
        }
    }

    static void writeEffect(ObjectDataOutput out, Effect e) throws IOException {
        if (e instanceof Effect.Issued i) {
            out.writeByte(0);
            out.writeInt(i.replica());
            out.writeString(i.workerId());
        } else if (e instanceof Effect.ReplicasCreated r) {
            out.writeByte(1);
            out.writeInt(r.count());
        } else if (e instanceof Effect.Judged j) {
            out.writeByte(2);
            out.writeInt(j.replica());
            out.writeString(j.workerId());
            out.writeBoolean(j.valid());
        } else if (e instanceof Effect.Errored r) {
            out.writeByte(3);
            out.writeInt(r.replica());
            out.writeString(r.workerId());
            out.writeBoolean(r.noReply());
        } else if (e instanceof Effect.Done d) {
            out.writeByte(4);
            out.writeInt(d.replica());
        } else if (e instanceof Effect.Released r) {
            out.writeByte(6);
            out.writeInt(r.replica());
            out.writeString(r.workerId());
        } else if (e instanceof Effect.Failed f) {
            out.writeByte(5);
            out.writeString(f.reason());
        } else {
            throw new IOException("unknown effect " + e);
        }
    }

    static Effect readEffect(ObjectDataInput in) throws IOException {
        byte type = in.readByte();
        switch (type) {
            case 0:
                return new Effect.Issued(in.readInt(), in.readString());
            case 1:
                return new Effect.ReplicasCreated(in.readInt());
            case 2:
                return new Effect.Judged(in.readInt(), in.readString(), in.readBoolean());
            case 3:
                return new Effect.Errored(in.readInt(), in.readString(), in.readBoolean());
            case 4:
                return new Effect.Done(in.readInt());
            case 5:
                return new Effect.Failed(in.readString());
            case 6:
                return new Effect.Released(in.readInt(), in.readString());
            default:
                throw new IOException("unknown effect type " + type);
        }
    }
}
