package org.enjambre.coordinator.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.enjambre.coordinator.model.FileRecord;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.model.WorkUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The store on a SQL database: embedded H2 in the data directory (one peer), or PostgreSQL (peers on
 * several machines). Every write goes through one committer thread that drains all pending batches
 * and makes them durable at once, so durability costs one commit per group, not one per request:
 * for the embedded H2, one append and fsync to the {@link UnitJournal}, which a {@link Compactor} applies
 * to the tables later (newest version per key once); for a database given by URL (PostgreSQL, a shared
 * H2), one transaction on it, since a peer's own disk must not hold the only copy of what it acknowledged.
 * Deferred records ({@link #writeLater}) wait in memory, newest version per key, and ride along with the
 * first group after they waited {@link #DEFERRED_WRITE_DELAY}; a record written again in the meantime is
 * written only once, at its newest version.
 *
 * <p>Reads take the deferred records, then the journaled ones, then the table, and keep the newest of
 * each: a record moves deferred → journaled → table, joining the next before it leaves the last, so one
 * of the three always has it.
 *
 * <p>Size (~600 lines): every query and the statements of both dialects for results, blobs and files, kept
 * in one place so a schema change is one file; the deferral ({@link Deferred}), the versioned row writes
 * ({@link Tables}) and the journal ({@link Compactor}) are apart.
 */
public final class JdbcStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcStore.class);
    private static final int MAX_GROUP = 512;
    /** Results up to this size ride in the journal with the batch that carries them; larger ones go to their table at once. */
    static final int JOURNALED_RESULT_BYTES = 1 << 20;
    /** Deferred records beyond which the committer writes them all at once instead of waiting out the delay. */
    static final int MAX_DEFERRED = 4096;
    private static final long DELAY_NANOS = DEFERRED_WRITE_DELAY.toNanos();
    private static final Batch EMPTY = new Batch(List.of(), List.of(), List.of());
    /** How often the committer probes a store that cannot write. */
    private static final long PROBE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private record Pending(Batch batch, CompletableFuture<Void> done) {
    }

    /** Queued only to wake the committer; never committed. */
    private static final Pending WAKE = new Pending(EMPTY, new CompletableFuture<>());

    private final HikariDataSource pool;
    private final Dialect dialect;
    private final Tables tables;
    /** The journal in front of the tables; null when writes go to the database directly. */
    private final Compactor journal;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread committer;
    /** Guards {@link #deferred}, {@link #woken}, {@link #retryAfter}, and queueing against {@link #closed}. */
    private final Object lock = new Object();
    private final Deferred deferred = new Deferred();
    private boolean woken;
    private long retryAfter;
    /** Time for the deferral and the compaction, in nanoseconds ({@link System#nanoTime} but in tests). */
    private final LongSupplier ticker;
    private volatile boolean closed;
    private final StoreHealth health = new StoreHealth();
    /** When the committer last probed a store that could not write ({@link #ticker} time). */
    private long lastProbe;

    /** A store on {@code url}; with a {@code journalDir}, writes go to a journal there first. */
    private JdbcStore(String url, Dialect dialect, LongSupplier ticker, Path journalDir, Compactor.Settings settings) {
        this.dialect = dialect;
        this.ticker = ticker;
        this.retryAfter = ticker.getAsLong();
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setMaximumPoolSize(8);
        cfg.setMinimumIdle(1);
        cfg.setPoolName("enjambre-store");
        cfg.setAutoCommit(true);
        this.pool = new HikariDataSource(cfg);
        this.tables = new Tables(pool, dialect, journalDir != null); // the compactor is then the units table's one writer
        try {
            createSchema();
            this.journal = journalDir == null ? null : new Compactor(journalDir, tables, settings, ticker);
        } catch (SQLException | IOException e) {
            pool.close();
            throw new StoreException("cannot open the store in " + redact(url) + ": " + e.getMessage(), e);
        }
        this.committer = new Thread(this::commitLoop, "enjambre-store-committer");
        committer.setDaemon(true);
        committer.start();
    }

    /** An embedded H2 database in {@code dataDir}, with its journal there. */
    public static JdbcStore h2(Path dataDir) {
        return h2(dataDir, System::nanoTime);
    }

    /** An embedded H2 database in {@code dataDir} whose deferred writes and compactions fall due by {@code ticker} (nanoseconds). */
    static JdbcStore h2(Path dataDir, LongSupplier ticker) {
        return journaled(h2Url(dataDir), dataDir, ticker, Compactor.Settings.DEFAULT);
    }

    /** An H2 database at {@code url} with its journal in {@code dir}; for tests. */
    static JdbcStore journaled(String url, Path dir, LongSupplier ticker, Compactor.Settings settings) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("cannot create the data directory " + dir + ": " + e.getMessage(), e);
        }
        return new JdbcStore(url, Dialect.H2, ticker, dir, settings);
    }

    /** The JDBC URL of the embedded database in {@code dataDir}. */
    static String h2Url(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("enjambre").toString()
                + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000";
    }

    /** A store at a JDBC URL, writing to it directly (no journal): {@code jdbc:postgresql:...} or {@code jdbc:h2:...}. */
    public static JdbcStore open(String jdbcUrl) {
        return open(jdbcUrl, System::nanoTime);
    }

    /** {@link #open(String)} whose deferred writes fall due by {@code ticker}; for tests. */
    static JdbcStore open(String jdbcUrl, LongSupplier ticker) {
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return new JdbcStore(jdbcUrl, Dialect.POSTGRES, ticker, null, null);
        }
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            return new JdbcStore(jdbcUrl, Dialect.H2, ticker, null, null);
        }
        throw new IllegalArgumentException("unsupported database URL '" + redact(jdbcUrl)
                + "' (use jdbc:postgresql://HOST:PORT/DB?user=..&password=.. or jdbc:h2:...)");
    }

    private static String redact(String url) {
        return url.replaceAll("password=[^&;]*", "password=***");
    }

    private void createSchema() throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS jobs (id VARCHAR(64) PRIMARY KEY, version BIGINT NOT NULL, "
                    + "state VARCHAR(16) NOT NULL, data " + dialect.text + " NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS units (job_id VARCHAR(64) NOT NULL, idx INT NOT NULL, "
                    + "version BIGINT NOT NULL, state VARCHAR(16) NOT NULL, data " + dialect.binary + " NOT NULL, "
                    + "PRIMARY KEY (job_id, idx))");
            s.execute("CREATE TABLE IF NOT EXISTS workers (id VARCHAR(64) PRIMARY KEY, version BIGINT NOT NULL, "
                    + "data " + dialect.text + " NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS results (job_id VARCHAR(64) PRIMARY KEY, content_type VARCHAR(100) NOT NULL, "
                    + "body " + dialect.binary + " NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS blobs (sha256 CHAR(64) PRIMARY KEY, body " + dialect.binary + " NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS files (id CHAR(64) PRIMARY KEY, complete BOOLEAN NOT NULL, "
                    + "data " + dialect.text + " NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS store_probe (id INT PRIMARY KEY, at BIGINT NOT NULL)");
        }
    }

    @Override
    public CompletableFuture<Void> write(Batch batch) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (journal != null && !batch.results().isEmpty()) {
            try {
                batch = withoutLargeResults(batch);
            } catch (StoreException e) {
                done.completeExceptionally(e);
                return done;
            }
        }
        if (batch.isEmpty()) {
            done.complete(null);
            return done;
        }
        synchronized (lock) {
            if (closed) {
                done.completeExceptionally(closedError());
                return done;
            }
            queue.add(new Pending(batch, done));
        }
        return done;
    }

    @Override
    public void writeLater(Batch batch) {
        if (batch.isEmpty()) {
            return;
        }
        synchronized (lock) {
            if (closed) {
                throw closedError();
            }
            deferred.add(batch, ticker.getAsLong());
            if (deferred.size() >= MAX_DEFERRED && !woken) {
                woken = true;
                queue.add(WAKE); // many records wait: write them now rather than at the end of the window
            }
        }
    }

    /**
     * Stores the batch's results larger than {@link #JOURNALED_RESULT_BYTES} in their table at once (forced to disk), and
     * returns the batch without them: the journal is for small records that are written often, and a large result would
     * pass through memory twice more (encoded record, overlay). Called before the batch is queued, so the records it
     * rides with are durable only after it.
     */
    private Batch withoutLargeResults(Batch batch) {
        List<Result> small = new ArrayList<>();
        for (Result r : batch.results()) {
            if (r.result().body().length > JOURNALED_RESULT_BYTES) {
                putResult(r.jobId(), r.result());
            } else {
                small.add(r);
            }
        }
        return small.size() == batch.results().size() ? batch : new Batch(batch.units(), batch.workers(), batch.jobs(), small);
    }

    /** How many deferred records wait; for tests. */
    int deferredCount() {
        synchronized (lock) {
            return deferred.size();
        }
    }

    /** How many unit rows have been written to the table (by the committer or the compactor); for tests. */
    long unitRowsWritten() {
        return tables.unitRowsWritten();
    }

    /** Applies everything journaled to the tables now; false when that failed. For tests. */
    boolean compact() {
        return journal == null || journal.compact();
    }

    private static StoreException closedError() {
        return new StoreException("the store is closed: the coordinator is stopping, nothing more can be written", null);
    }

    /**
     * The committer: each round takes every pending {@link #write} (up to {@link #MAX_GROUP}) and the
     * deferred records that are due, and makes them durable at once (one journal record, or one
     * transaction). It ends once the store is closed and nothing is pending or deferred.
     */
    private void commitLoop() {
        List<Pending> group = new ArrayList<>();
        while (true) {
            try {
                // Read before polling: writes are queued under the lock before closed is set, so a
                // closing committer finds every one of them in the queue.
                boolean closing = closed;
                Pending first = closing ? queue.poll() : queue.poll(nanosUntilDue(), TimeUnit.NANOSECONDS);
                if (first != null) {
                    group.add(first);
                    queue.drainTo(group, MAX_GROUP - 1);
                    group.removeIf(p -> p == WAKE);
                }
                Batch due = takeDue(closing);
                if (group.isEmpty() && due.isEmpty()) {
                    if (closing) {
                        break;
                    }
                    probeIfUnwritable();
                    continue;
                }
                commit(group, due, closing);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.error("store committer failed", e);
            } finally {
                group.clear();
                if (journal != null) {
                    journal.poke();
                }
            }
        }
    }

    /** How long the committer may wait for a write before deferred records fall due (at most 100 ms). */
    private long nanosUntilDue() {
        long now = ticker.getAsLong();
        long max = TimeUnit.MILLISECONDS.toNanos(100);
        synchronized (lock) {
            if (deferred.size() == 0) {
                return max;
            }
            if (deferred.size() >= MAX_DEFERRED) {
                return 0;
            }
            long due = Math.max(deferred.oldest() + DELAY_NANOS, retryAfter);
            return Math.max(0, Math.min(max, due - now));
        }
    }

    /**
     * The deferred records to write in this round: those waiting for half the delay or more, or all when many wait or
     * closing. A round comes when a write is queued or the oldest deferred record has waited the whole delay; taking
     * the half-way ones too lets them ride with the next group instead of each falling due alone: a one-unit job's
     * issued replica cost a commit of its own 200 ms later, which, at a job every few milliseconds, landed in the middle
     * of later jobs' paths (PathTrace, twelfth session). A record changed again within half the delay is written once.
     */
    private Batch takeDue(boolean closing) {
        long now = ticker.getAsLong();
        synchronized (lock) {
            woken = false;
            if (deferred.size() == 0 || (!closing && now - retryAfter < 0)) {
                return EMPTY;
            }
            return deferred.due(now - DELAY_NANOS / 2, closing || deferred.size() >= MAX_DEFERRED);
        }
    }

    private void commit(List<Pending> group, Batch due, boolean closing) {
        org.enjambre.coordinator.metrics.PathTrace.mark("store: group taken");
        Deferred newest = new Deferred(); // newest version per key, across the group
        newest.add(due, 0);
        for (Pending p : group) {
            newest.add(p.batch(), 0);
        }
        Batch batch = newest.due(0, true);
        Exception failure;
        if (journal != null) {
            try {
                journal.append(batch);
                failure = null;
            } catch (IOException | RuntimeException e) { // a record that cannot be encoded fails its group, never hangs it
                failure = e;
            }
        } else {
            failure = tables.write(batch, false);
        }
        org.enjambre.coordinator.metrics.PathTrace.mark("store: group journaled");
        wrote(failure);
        synchronized (lock) {
            if (failure == null) {
                // Deferred records written now, or made useless by a newer version written now, are done.
                deferred.written(batch);
            } else if (!due.isEmpty()) {
                if (closing) {
                    LOG.error("the store is closing and cannot write {} deferred records (issued replicas come back "
                            + "unsent after a restart): {}", deferred.size(), failure.getMessage());
                    deferred.clear();
                } else {
                    retryAfter = ticker.getAsLong() + DELAY_NANOS;
                    LOG.warn("writing {} deferred records failed; retrying in {} ms: {}", deferred.size(),
                            DEFERRED_WRITE_DELAY.toMillis(), failure.getMessage());
                }
            }
        }
        for (Pending p : group) {
            if (failure == null) {
                p.done().complete(null);
            } else {
                p.done().completeExceptionally(new StoreException("write failed: " + failure.getMessage(), failure));
            }
        }
    }

    /**
     * The records of {@code rows} not in the tables yet: deferred, then journaled (read in this order, see
     * the class comment). Read before the table.
     */
    private <T> List<T> unwritten(Function<Deferred, List<T>> rows) {
        List<T> out;
        synchronized (lock) {
            out = rows.apply(deferred);
        }
        if (journal != null) {
            out = new ArrayList<>(out);
            out.addAll(journal.read(rows));
        }
        return out;
    }

    private static <T> List<T> one(Optional<T> value) {
        return value.map(List::of).orElse(List.of());
    }

    @Override
    public List<JobRecord> jobs() {
        List<JobRecord> later = unwritten(d -> d.jobs.matching(j -> true));
        Map<String, JobRecord> out = new LinkedHashMap<>();
        query("SELECT id, data FROM jobs", ps -> { }, rs -> {
            try {
                JobRecord j = Json.read(rs.getString(2), JobRecord.class);
                out.put(j.id(), j);
            } catch (RuntimeException e) {
                // One unreadable row must not stop a peer from starting; it stays on disk for a person to look at.
                LOG.error("the row of job {} cannot be decoded and is skipped: {}", rs.getString(1), e.toString());
            }
        });
        later.forEach(j -> out.merge(j.id(), j, (a, c) -> a.version() >= c.version() ? a : c));
        return new ArrayList<>(out.values());
    }

    @Override
    public Optional<JobRecord> job(String id) {
        List<JobRecord> later = unwritten(d -> one(d.jobs.get(id)));
        List<JobRecord> out = new ArrayList<>();
        query("SELECT data FROM jobs WHERE id = ?", ps -> ps.setString(1, id),
                rs -> out.add(Json.read(rs.getString(1), JobRecord.class)));
        out.addAll(later);
        return out.stream().max(Comparator.comparingLong(JobRecord::version));
    }

    @Override
    public Map<Integer, WorkUnit> units(String jobId) {
        List<WorkUnit> later = unwritten(d -> d.units.matching(u -> u.jobId().equals(jobId)));
        Map<Integer, WorkUnit> out = new HashMap<>();
        query("SELECT idx, data FROM units WHERE job_id = ?", ps -> ps.setString(1, jobId),
                rs -> out.put(rs.getInt(1), UnitCodec.decode(rs.getBytes(2))));
        later.forEach(u -> out.merge(u.index(), u, (a, c) -> a.version() >= c.version() ? a : c));
        return out;
    }

    @Override
    public Map<Integer, Long> unitVersions(String jobId, int from, int to) {
        List<WorkUnit> journaled = journal == null ? List.of()
                : journal.read(d -> d.units.matching(u -> u.jobId().equals(jobId) && u.index() >= from && u.index() < to));
        Map<Integer, Long> out = new HashMap<>();
        query("SELECT idx, version FROM units WHERE job_id = ? AND idx >= ? AND idx < ?", ps -> {
            ps.setString(1, jobId);
            ps.setInt(2, from);
            ps.setInt(3, to);
        }, rs -> out.put(rs.getInt(1), rs.getLong(2)));
        journaled.forEach(u -> out.merge(u.index(), u.version(), Math::max));
        return out;
    }

    @Override
    public Optional<WorkUnit> unit(String jobId, int index) {
        List<WorkUnit> later = unwritten(d -> one(d.units.get(WorkUnit.id(jobId, index))));
        List<WorkUnit> out = new ArrayList<>();
        query("SELECT data FROM units WHERE job_id = ? AND idx = ?", ps -> {
            ps.setString(1, jobId);
            ps.setInt(2, index);
        }, rs -> out.add(UnitCodec.decode(rs.getBytes(1))));
        out.addAll(later);
        return out.stream().max(Comparator.comparingLong(WorkUnit::version));
    }

    @Override
    public List<WorkerRecord> workers() {
        List<WorkerRecord> later = unwritten(d -> d.workers.matching(w -> true));
        Map<String, WorkerRecord> out = new LinkedHashMap<>();
        query("SELECT data FROM workers", ps -> { }, rs -> {
            WorkerRecord w = Json.read(rs.getString(1), WorkerRecord.class);
            out.put(w.id(), w);
        });
        later.forEach(w -> out.merge(w.id(), w, (a, c) -> a.version() >= c.version() ? a : c));
        return new ArrayList<>(out.values());
    }

    @Override
    public Optional<WorkerRecord> worker(String id) {
        List<WorkerRecord> later = unwritten(d -> one(d.workers.get(id)));
        List<WorkerRecord> out = new ArrayList<>();
        query("SELECT data FROM workers WHERE id = ?", ps -> ps.setString(1, id),
                rs -> out.add(Json.read(rs.getString(1), WorkerRecord.class)));
        out.addAll(later);
        return out.stream().max(Comparator.comparingLong(WorkerRecord::version));
    }

    @Override
    public void putResult(String jobId, MergedResult result) {
        update(tables.mergeResults(), ps -> {
            ps.setString(1, jobId);
            ps.setString(2, result.contentType());
            ps.setBytes(3, result.body());
        }, true);
    }

    @Override
    public Optional<MergedResult> result(String jobId) {
        List<Result> later = unwritten(d -> one(d.results.get(jobId)));
        if (!later.isEmpty()) {
            return Optional.of(later.get(0).result());
        }
        List<MergedResult> out = new ArrayList<>();
        query("SELECT content_type, body FROM results WHERE job_id = ?", ps -> ps.setString(1, jobId),
                rs -> out.add(new MergedResult(rs.getString(1), rs.getBytes(2))));
        return out.stream().findFirst();
    }

    @Override
    public void putBlob(String sha256, byte[] body) {
        update(Tables.merge("blobs", "sha256", "sha256,body", "CHAR(64)," + dialect.binary, false),
                ps -> {
                    ps.setString(1, sha256);
                    ps.setBytes(2, body);
                }, true);
    }

    @Override
    public Optional<byte[]> blob(String sha256) {
        List<byte[]> out = new ArrayList<>();
        query("SELECT body FROM blobs WHERE sha256 = ?", ps -> ps.setString(1, sha256), rs -> out.add(rs.getBytes(1)));
        return out.stream().findFirst();
    }

    @Override
    public void putFile(FileRecord file) {
        // "complete" only ever goes from false to true: an older, incomplete manifest never hides a stored file.
        update("MERGE INTO files t USING (VALUES (CAST(? AS CHAR(64)), CAST(? AS BOOLEAN), CAST(? AS " + dialect.text
                        + "))) AS s(id, complete, data) ON t.id = s.id"
                        + " WHEN MATCHED AND (s.complete OR NOT t.complete) THEN UPDATE SET complete = s.complete, data = s.data"
                        + " WHEN NOT MATCHED THEN INSERT (id, complete, data) VALUES (s.id, s.complete, s.data)",
                ps -> {
                    ps.setString(1, file.id());
                    ps.setBoolean(2, file.complete());
                    ps.setString(3, Json.write(file));
                });
    }

    @Override
    public Optional<FileRecord> file(String id) {
        List<FileRecord> out = new ArrayList<>();
        query("SELECT data FROM files WHERE id = ?", ps -> ps.setString(1, id),
                rs -> out.add(Json.read(rs.getString(1), FileRecord.class)));
        return out.stream().findFirst();
    }

    @Override
    public List<FileRecord> files() {
        List<FileRecord> out = new ArrayList<>();
        query("SELECT data FROM files", ps -> { }, rs -> out.add(Json.read(rs.getString(1), FileRecord.class)));
        return out;
    }

    @Override
    public boolean deleteFile(String id) {
        return update("DELETE FROM files WHERE id = ?", ps -> ps.setString(1, id)) > 0;
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    @FunctionalInterface
    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    private void query(String sql, Binder binder, RowReader reader) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    reader.read(rs);
                }
            }
        } catch (SQLException e) {
            reopen(); // a connection to a database that closed itself fails every later query too
            throw new StoreException("query failed: " + e.getMessage(), e);
        }
    }

    /** Runs one write; returns the rows it changed. */
    private int update(String sql, Binder binder) {
        return update(sql, binder, false);
    }

    /**
     * Runs one write; returns the rows it changed. {@code durably}: a write acknowledged as kept (a job's merged result
     * before its COMPLETED record, an uploaded module). On H2 a commit writes but does not force the disk, so a power
     * loss could lose it after the job's journaled COMPLETED record survived: it is forced. PostgreSQL's commit is
     * durable.
     */
    private int update(String sql, Binder binder, boolean durably) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            int rows = ps.executeUpdate();
            if (durably && dialect == Dialect.H2) {
                Tables.forceToDisk(c);
            }
            wrote(null);
            return rows;
        } catch (SQLException e) {
            wrote(e);
            throw new StoreException("write failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean writable() {
        return health.writable();
    }

    @Override
    public long writeFailures() {
        return health.writeFailures();
    }

    /**
     * Records how a write ended. After a failure the pool's connections are replaced: a database that
     * closed itself (H2 after a failed write to a full disk: "The database has been closed") or a lost
     * PostgreSQL backend leaves connections that fail every later statement, and a fresh connection
     * reopens the database.
     */
    private void wrote(Exception failure) {
        if (failure == null) {
            if (health.writeSucceeded()) {
                LOG.warn("the store writes again");
            }
            return;
        }
        if (health.writable()) {
            LOG.error("the store cannot write ({}); it reopens its connections and probes until writes succeed", failure.getMessage());
        }
        health.writeFailed(failure);
        reopen();
    }

    /** Replaces the pool's connections: idle ones now, those in use when they are returned. */
    private void reopen() {
        tables.reopen();
    }

    /**
     * While writes fail and none are waiting, writes a probe row (and, with a journal, starts a fresh
     * segment after a failed append) about once a second, so that a store that healed says so
     * ({@link #writable}) even when nothing else writes.
     */
    private void probeIfUnwritable() {
        long now = ticker.getAsLong();
        if (health.writable() || now - lastProbe < PROBE_NANOS) {
            return;
        }
        lastProbe = now;
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(
                "MERGE INTO store_probe t USING (VALUES (1, CAST(? AS BIGINT))) AS s(id, at) ON t.id = s.id"
                        + " WHEN MATCHED THEN UPDATE SET at = s.at WHEN NOT MATCHED THEN INSERT (id, at) VALUES (s.id, s.at)")) {
            if (journal != null) {
                journal.probe();
            }
            ps.setLong(1, now);
            ps.executeUpdate();
            wrote(null);
        } catch (SQLException | IOException e) {
            wrote(e);
        }
    }

    @Override
    public void close() {
        shutDown(false);
    }

    @Override
    public void crash() {
        shutDown(true);
    }

    private void shutDown(boolean loseDeferred) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (loseDeferred && deferred.size() > 0) {
                LOG.info("crash: {} deferred records are lost", deferred.size());
                deferred.clear();
            }
        }
        try {
            committer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (committer.isAlive()) {
            LOG.error("the store committer did not finish its last writes within 30 s; closing the database anyway");
        }
        if (journal != null) {
            journal.close(loseDeferred); // a crash leaves the journal to be replayed, as kill -9 would
        }
        pool.close();
    }
}
