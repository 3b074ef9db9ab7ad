package org.enjambre.coordinator.store;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.model.WorkUnit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of a {@link Store.Batch} in the {@link UnitJournal}: a layout byte, then the jobs (JSON, as
 * in their table), the units ({@link UnitCodec}, as in theirs), the workers (JSON) and the results (job id,
 * content type, body), each list preceded by its length. Fields are written and read in the same order;
 * {@link #VERSION} changes when the layout does, and records of every older layout still decode (a journal
 * left by the previous release is replayed by this one).
 */
final class BatchCodec {
    /** Layout version, first byte of every encoded batch: 2 added the results (1 had none). */
    static final byte VERSION = 2;

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
        long resultBytes = 0;
        for (Store.Result r : batch.results()) {
            resultBytes += r.result().body().length + 256;
        }
        UnitCodec.ByteOut out = new UnitCodec.ByteOut((int) Math.min(Integer.MAX_VALUE - 16,
                64 + batch.units().size() * 96L + batch.jobs().size() * 512L + resultBytes));
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
            out.writeInt(batch.results().size());
            for (Store.Result r : batch.results()) {
                writeBytes(out, r.jobId().getBytes(StandardCharsets.UTF_8));
                writeBytes(out, r.result().contentType().getBytes(StandardCharsets.UTF_8));
                writeBytes(out, r.result().body());
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
            if (version != 1 && version != VERSION) {
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
            List<Store.Result> results = new ArrayList<>();
            for (int i = version == 1 ? 0 : count(in); i > 0; i--) {
                String jobId = readJson(in, data.length);
                String contentType = readJson(in, data.length);
                results.add(new Store.Result(jobId, new MergedResult(contentType, readBytes(in, data.length))));
            }
            return new Store.Batch(units, workers, jobs, results);
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException("corrupt journal record", e instanceof IOException io ? io : new IOException(e));
        }
    }

    private static void writeJson(UnitCodec.ByteOut out, Object record) throws IOException {
        writeBytes(out, Json.write(record).getBytes(StandardCharsets.UTF_8));
    }

    private static void writeBytes(UnitCodec.ByteOut out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static int count(UnitCodec.ByteIn in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("negative count " + n);
        }
        return n;
    }

    private static String readJson(UnitCodec.ByteIn in, int max) throws IOException {
        return new String(readBytes(in, max), StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(UnitCodec.ByteIn in, int max) throws IOException {
        int length = count(in);
        if (length > max) {
            throw new IOException("a record of " + length + " bytes in " + max);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }
}
