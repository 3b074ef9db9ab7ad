package org.enjambre.coordinator.store;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.WorkUnit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of a {@link Store.Batch} in the {@link UnitJournal}: a layout byte, then the jobs (JSON, as
 * in their table), the units ({@link UnitCodec}, as in theirs) and the workers (JSON), each list preceded by
 * its length. Fields are written and read in the same order; {@link #VERSION} changes when the layout does.
 */
final class BatchCodec {
    /** Layout version, first byte of every encoded batch. */
    static final byte VERSION = 1;

    private BatchCodec() {
    }

    static byte[] encode(Store.Batch batch) {
        return encode(batch, null);
    }

    /**
     * The batch's bytes; when {@code unitBytes} is given (as long as the batch's units), each unit's own encoding
     * ({@link UnitCodec#encode}, the bytes of its table row) is left in it, so that the table write need not encode
     * the unit again.
     */
    static byte[] encode(Store.Batch batch, byte[][] unitBytes) {
        UnitCodec.ByteOut out = new UnitCodec.ByteOut(64 + batch.units().size() * 96 + batch.jobs().size() * 512);
        try {
            out.writeByte(VERSION);
            out.writeInt(batch.jobs().size());
            for (JobRecord j : batch.jobs()) {
                writeJson(out, j);
            }
            out.writeInt(batch.units().size());
            int i = 0;
            for (WorkUnit u : batch.units()) {
                if (unitBytes == null) {
                    UnitCodec.write(u, out);
                } else {
                    unitBytes[i] = UnitCodec.encode(u); // self-delimiting: the same bytes as write(u, out)
                    out.write(unitBytes[i]);
                }
                i++;
            }
            out.writeInt(batch.workers().size());
            for (WorkerRecord w : batch.workers()) {
                writeJson(out, w);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The batch {@link #encode} wrote; an {@link UncheckedIOException} when the bytes are not one. */
    static Store.Batch decode(byte[] data) {
        UnitCodec.ByteIn in = new UnitCodec.ByteIn(data);
        try {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IOException("unknown journal record layout " + version);
            }
            List<JobRecord> jobs = new ArrayList<>();
            for (int i = count(in); i > 0; i--) {
                jobs.add(Json.read(readJson(in, data.length), JobRecord.class));
            }
            List<WorkUnit> units = new ArrayList<>();
            for (int i = count(in); i > 0; i--) {
                units.add(UnitCodec.read(in));
            }
            List<WorkerRecord> workers = new ArrayList<>();
            for (int i = count(in); i > 0; i--) {
                workers.add(Json.read(readJson(in, data.length), WorkerRecord.class));
            }
            return new Store.Batch(units, workers, jobs);
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException("corrupt journal record", e instanceof IOException io ? io : new IOException(e));
        }
    }

    private static void writeJson(UnitCodec.ByteOut out, Object record) throws IOException {
        byte[] json = Json.write(record).getBytes(StandardCharsets.UTF_8);
        out.writeInt(json.length);
        out.write(json);
    }

    private static int count(UnitCodec.ByteIn in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("negative count " + n);
        }
        return n;
    }

    private static String readJson(UnitCodec.ByteIn in, int max) throws IOException {
        int length = count(in);
        if (length > max) {
            throw new IOException("a record of " + length + " bytes in " + max);
        }
        byte[] json = new byte[length];
        in.readFully(json);
        return new String(json, StandardCharsets.UTF_8);
    }
}
