package org.enjambre.coordinator.store;

import org.enjambre.coordinator.model.FileRecord;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.model.WorkUnit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The durable store behind the cluster's maps: what is acknowledged to a client or worker is here
 * first. Writes are grouped: concurrent {@link #write} calls share one commit (group commit).
 * Records carry versions; a write never replaces a record with an older version, so peers may write
 * the same record concurrently and the newest wins.
 *
 * <p>{@link #writeLater} defers a write that may be lost in a crash (a replica issued: after a crash it
 * is simply unsent again) for at most {@link #DEFERRED_WRITE_DELAY}, and at least half of it, so that a
 * record changed again within that time is written once. Reads of a store see its deferred records at once.
 *
 * <p>Thread-safe. Every method blocks on I/O: call it off event loops.
 */
public interface Store extends AutoCloseable {

    /** The longest a {@link #writeLater} record waits before the committer writes it (sooner when many wait). */
    Duration DEFERRED_WRITE_DELAY = Duration.ofMillis(200);

    /**
     * Everything one request changed; written in one transaction with other concurrent batches. A batch is atomic:
     * after a crash all of it is stored or none of it.
     */
    record Batch(List<WorkUnit> units, List<WorkerRecord> workers, List<JobRecord> jobs, List<Result> results) {
        public Batch {
            units = List.copyOf(units);
            workers = List.copyOf(workers);
            jobs = List.copyOf(jobs);
            results = List.copyOf(results);
        }

        public Batch(List<WorkUnit> units, List<WorkerRecord> workers, List<JobRecord> jobs) {
            this(units, workers, jobs, List.of());
        }

        public static Batch units(List<WorkUnit> units) {
            return new Batch(units, List.of(), List.of());
        }

        public static Batch jobs(List<JobRecord> jobs) {
            return new Batch(List.of(), List.of(), jobs);
        }

        /** This batch and a job's merged result, stored together. */
        public Batch with(Result result) {
            List<Result> all = new java.util.ArrayList<>(results);
            all.add(result);
            return new Batch(units, workers, jobs, all);
        }

        public boolean isEmpty() {
            return units.isEmpty() && workers.isEmpty() && jobs.isEmpty() && results.isEmpty();
        }
    }

    /** A job's merged result as a batch carries it. A job has one result: a second write of it changes nothing. */
    record Result(String jobId, MergedResult result) {
        public Result {
            java.util.Objects.requireNonNull(jobId, "jobId");
            java.util.Objects.requireNonNull(result, "result");
        }
    }

    /** Durably writes the batch; the future completes after the commit. */
    CompletableFuture<Void> write(Batch batch);

    /** {@link #write} and wait. */
    default void writeNow(Batch batch) {
        write(batch).join();
    }

    /**
     * Writes the batch within {@link #DEFERRED_WRITE_DELAY} without waiting for it: not durable before
     * then (a crash may lose it), written by {@link #close}, and skipped for every record that a write
     * of a newer version made useless in the meantime.
     *
     * @throws StoreException when the store is closed
     */
    void writeLater(Batch batch);

    List<JobRecord> jobs();

    Optional<JobRecord> job(String id);

    /** The stored units of a job, by index. Units never changed since the job was accepted are absent. */
    Map<Integer, WorkUnit> units(String jobId);

    Optional<WorkUnit> unit(String jobId, int index);

    /**
     * The versions of a job's units with index in [{@code from}, {@code to}) as durably written (journaled or
     * committed; deferred writes not included), by index; units never stored are absent. Reads no unit data.
     */
    Map<Integer, Long> unitVersions(String jobId, int from, int to);

    List<WorkerRecord> workers();

    /** One worker by id: a keyed lookup (an unknown id costs one index probe, not a table scan). */
    Optional<WorkerRecord> worker(String id);

    /** Stores a job's merged result durably; a batch can carry one too ({@link Batch#with}), written with its records. */
    void putResult(String jobId, MergedResult result);

    Optional<MergedResult> result(String jobId);

    /** Stores a content-addressed blob; storing the same hash twice is harmless. */
    void putBlob(String sha256, byte[] body);

    Optional<byte[]> blob(String sha256);

    /**
     * Indexes an uploaded file (its chunks live on the peers' disks, not here); a record for the same id replaces
     * the last one, but a complete record is never replaced by an incomplete one.
     */
    default void putFile(FileRecord file) {
        throw new UnsupportedOperationException("this store keeps no file index");
    }

    /** The indexed file with this id. */
    default Optional<FileRecord> file(String id) {
        return Optional.empty();
    }

    /** Every indexed file (for data garbage collection). */
    default List<FileRecord> files() {
        return List.of();
    }

    /** Drops a file from the index (garbage collection); true when it was there. */
    default boolean deleteFile(String id) {
        return false;
    }

    /**
     * Whether writes succeed now: false from a failed write (disk full, lost database connection) until
     * the store has reopened its connections and a write or its probe succeeded again. Cheap.
     */
    default boolean writable() {
        return true;
    }

    /** Writes (commits) that failed since the store opened. */
    default long writeFailures() {
        return 0;
    }

    /** Writes every deferred record, then closes; later writes are refused. */
    @Override
    void close();

    /** Closes as a crash would: deferred records are lost, later writes refused. For fail-over tests. */
    void crash();
}
