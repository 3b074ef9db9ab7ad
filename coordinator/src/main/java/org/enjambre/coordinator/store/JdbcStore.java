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

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The store on a SQL database: embedded H2 in the data directory (one peer), or PostgreSQL (peers on
 * several machines). Every write goes through one committer thread that drains all pending batches
 * into one transaction, so durability costs one commit per group, not one per request. Deferred
 * records ({@link #writeLater}) wait in memory, newest version per key, and ride along with the first
 * commit after they waited {@link #DEFERRED_WRITE_DELAY}; a record written again in the meantime is
 * written only once, at its newest version.
 *
 * <p>Size (~700 lines): every SQL statement of both dialects (H2, PostgreSQL) for every table, kept in one place so a
 * schema change is one file; the deferral is already apart ({@link Deferred}).
 */
public final class JdbcStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcStore.class);
    private static final int MAX_GROUP = 512;
    /** Deferred records beyond which the committer writes them all at once instead of waiting out the delay. */
    static final int MAX_DEFERRED = 4096;
    private static final long DELAY_NANOS = DEFERRED_WRITE_DELAY.toNanos();
    private static final Batch EMPTY = new Batch(List.of(), List.of(), List.of());
    /** How often the committer probes a store that cannot write. */
    private static final long PROBE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private enum Dialect {
        H2("BINARY VARYING", "CHARACTER VARYING"),
        POSTGRES("BYTEA", "TEXT");

        final String binary;
        final String text;

        Dialect(String binary, String text) {
            this.binary = binary;
            this.text = text;
        }
    }

    private record Pending(Batch batch, CompletableFuture<Void> done) {
    }

    /** Queued only to wake the committer; never committed. */
    private static final Pending WAKE = new Pending(EMPTY, new CompletableFuture<>());

    private final HikariDataSource pool;
    private final Dialect dialect;
    private final String mergeJobs;
    private final String mergeUnits;
    private final String mergeWorkers;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread committer;
    /** Guards {@link #deferred}, {@link #woken}, {@link #retryAfter}, and queueing against {@link #closed}. */
    private final Object lock = new Object();
    private final Deferred deferred = new Deferred();
    private boolean woken;
    private long retryAfter;
    /** Time for the deferral, in nanoseconds ({@link System#nanoTime} but in tests). */
    private final LongSupplier ticker;
    /** Unit rows written (merged) so far; for tests. */
    private final AtomicLong unitRowsWritten = new AtomicLong();
    private volatile boolean closed;
    private final StoreHealth health = new StoreHealth();
    /** When the committer last probed a store that could not write ({@link #ticker} time). */
    private long lastProbe;

    private JdbcStore(String url, Dialect dialect, LongSupplier ticker) {
        this.dialect = dialect;
        this.ticker = ticker;
        this.retryAfter = ticker.getAsLong();
        this.mergeJobs = merge("jobs", "id", "id,version,state,data", "VARCHAR(64),BIGINT,VARCHAR(16)," + dialect.text, true);
        this.mergeUnits = merge("units", "job_id,idx", "job_id,idx,version,state,data",
                "VARCHAR(64),INT,BIGINT,VARCHAR(16)," + dialect.binary, true);
        this.mergeWorkers = merge("workers", "id", "id,version,data", "VARCHAR(64),BIGINT," + dialect.text, true);
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setMaximumPoolSize(8);
        cfg.setMinimumIdle(1);
        cfg.setPoolName("enjambre-store");
        cfg.setAutoCommit(true);
        this.pool = new HikariDataSource(cfg);
        try {
            createSchema();
        } catch (SQLException e) {
            pool.close();
            throw new StoreException("cannot create the schema in " + redact(url) + ": " + e.getMessage(), e);
        }
        this.committer = new Thread(this::commitLoop, "enjambre-store-committer");
        committer.setDaemon(true);
        committer.start();
    }

    /** An embedded H2 database in {@code dataDir}. */
    public static JdbcStore h2(Path dataDir) {
        return h2(dataDir, System::nanoTime);
    }

    /** An embedded H2 database in {@code dataDir} whose deferred writes fall due by {@code ticker} (nanoseconds). */
    static JdbcStore h2(Path dataDir, LongSupplier ticker) {
        return new JdbcStore(h2Url(dataDir), Dialect.H2, ticker);
    }

    /** The JDBC URL of the embedded database in {@code dataDir}. */
    static String h2Url(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("enjambre").toString()
                + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000";
    }

    /** A store at a JDBC URL: {@code jdbc:postgresql:...} or {@code jdbc:h2:...}. */
    public static JdbcStore open(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return new JdbcStore(jdbcUrl, Dialect.POSTGRES, System::nanoTime);
        }
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            return new JdbcStore(jdbcUrl, Dialect.H2, System::nanoTime);
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

    /** How many deferred records wait; for tests. */
    int deferredCount() {
        synchronized (lock) {
            return deferred.size();
        }
    }

    /** How many unit rows the committer has written; for tests. */
    long unitRowsWritten() {
        return unitRowsWritten.get();
    }

    private static StoreException closedError() {
        return new StoreException("the store is closed: the coordinator is stopping, nothing more can be written", null);
    }

    /**
     * The committer: each round takes every pending {@link #write} (up to {@link #MAX_GROUP}) and the
     * deferred records that are due, and commits them in one transaction. It ends once the store is
     * closed and nothing is pending or deferred.
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

    /** The deferred records to write in this round: those waiting for the whole delay, or all when many wait or closing. */
    private Batch takeDue(boolean closing) {
        long now = ticker.getAsLong();
        synchronized (lock) {
            woken = false;
            if (deferred.size() == 0 || (!closing && now - retryAfter < 0)) {
                return EMPTY;
            }
            return deferred.due(now - DELAY_NANOS, closing || deferred.size() >= MAX_DEFERRED);
        }
    }

    private void commit(List<Pending> group, Batch due, boolean closing) {
        Map<String, WorkUnit> units = new LinkedHashMap<>();
        Map<String, WorkerRecord> workers = new LinkedHashMap<>();
        Map<String, JobRecord> jobs = new LinkedHashMap<>();
        List<Batch> batches = new ArrayList<>(group.size() + 1);
        batches.add(due);
        for (Pending p : group) {
            batches.add(p.batch());
        }
        for (Batch b : batches) {
            for (WorkUnit u : b.units()) {
                units.merge(u.id(), u, (a, c) -> a.version() >= c.version() ? a : c);
            }
            for (WorkerRecord w : b.workers()) {
                workers.merge(w.id(), w, (a, c) -> a.version() >= c.version() ? a : c);
            }
            for (JobRecord j : b.jobs()) {
                jobs.merge(j.id(), j, (a, c) -> a.version() >= c.version() ? a : c);
            }
        }
        SQLException failure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            if (attempt > 0) {
                reopen();
            }
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try {
                    writeJobs(c, jobs.values());
                    writeUnits(c, units.values());
                    writeWorkers(c, workers.values());
                    c.commit();
                    unitRowsWritten.addAndGet(units.size());
                    failure = null;
                    break;
                } catch (SQLException e) {
                    c.rollback();
                    failure = e;
                } finally {
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                failure = e;
            }
        }
        wrote(failure);
        synchronized (lock) {
            if (failure == null) {
                // Deferred records written now, or made useless by a newer version written now, are done.
                deferred.written(units.values(), workers.values(), jobs.values());
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
     * Standard SQL MERGE (H2 2.x, PostgreSQL 15+): insert, or, when {@code versioned}, update only a row
     * with an older version; otherwise an existing row is left as it is.
     */
    private String merge(String table, String key, String columns, String types, boolean versioned) {
        String[] cols = columns.split(",");
        String[] tys = types.split(",");
        StringBuilder values = new StringBuilder();
        StringBuilder set = new StringBuilder();
        StringBuilder insertVals = new StringBuilder();
        for (int i = 0; i < cols.length; i++) {
            if (i > 0) {
                values.append(", ");
                insertVals.append(", ");
            }
            values.append("CAST(? AS ").append(tys[i]).append(")");
            insertVals.append("s.").append(cols[i]);
            if (!java.util.Set.of(key.split(",")).contains(cols[i])) {
                if (set.length() > 0) {
                    set.append(", ");
                }
                set.append(cols[i]).append(" = s.").append(cols[i]);
            }
        }
        StringBuilder on = new StringBuilder();
        for (String k : key.split(",")) {
            if (on.length() > 0) {
                on.append(" AND ");
            }
            on.append("t.").append(k).append(" = s.").append(k);
        }
        return "MERGE INTO " + table + " t USING (VALUES (" + values + ")) AS s(" + columns + ") ON " + on
                + (versioned ? " WHEN MATCHED AND t.version < s.version THEN UPDATE SET " + set : "")
                + " WHEN NOT MATCHED THEN INSERT (" + columns + ") VALUES (" + insertVals + ")";
    }

    private void writeJobs(Connection c, Collection<JobRecord> jobs) throws SQLException {
        if (jobs.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(mergeJobs)) {
            for (JobRecord j : jobs) {
                ps.setString(1, j.id());
                ps.setLong(2, j.version());
                ps.setString(3, j.state().name());
                ps.setString(4, Json.write(j));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void writeUnits(Connection c, Collection<WorkUnit> units) throws SQLException {
        if (units.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(mergeUnits)) {
            for (WorkUnit u : units) {
                ps.setString(1, u.jobId());
                ps.setInt(2, u.index());
                ps.setLong(3, u.version());
                ps.setString(4, u.state().name());
                ps.setBytes(5, UnitCodec.encode(u));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void writeWorkers(Connection c, Collection<WorkerRecord> workers) throws SQLException {
        if (workers.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(mergeWorkers)) {
            for (WorkerRecord w : workers) {
                ps.setString(1, w.id());
                ps.setLong(2, w.version());
                ps.setString(3, Json.write(w));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    // Reads take the deferred records first, then the table, and keep the newer of each: the committer
    // forgets a deferred record only after its commit, so one of the two always has it.

    @Override
    public List<JobRecord> jobs() {
        List<JobRecord> later;
        synchronized (lock) {
            later = deferred.jobs.matching(j -> true);
        }
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
        Optional<JobRecord> later;
        synchronized (lock) {
            later = deferred.jobs.get(id);
        }
        List<JobRecord> out = new ArrayList<>();
        query("SELECT data FROM jobs WHERE id = ?", ps -> ps.setString(1, id),
                rs -> out.add(Json.read(rs.getString(1), JobRecord.class)));
        later.ifPresent(out::add);
        return out.stream().max(Comparator.comparingLong(JobRecord::version));
    }

    @Override
    public Map<Integer, WorkUnit> units(String jobId) {
        List<WorkUnit> later;
        synchronized (lock) {
            later = deferred.units.matching(u -> u.jobId().equals(jobId));
        }
        Map<Integer, WorkUnit> out = new HashMap<>();
        query("SELECT idx, data FROM units WHERE job_id = ?", ps -> ps.setString(1, jobId),
                rs -> out.put(rs.getInt(1), UnitCodec.decode(rs.getBytes(2))));
        later.forEach(u -> out.merge(u.index(), u, (a, c) -> a.version() >= c.version() ? a : c));
        return out;
    }

    @Override
    public Map<Integer, Long> unitVersions(String jobId, int from, int to) {
        Map<Integer, Long> out = new HashMap<>();
        query("SELECT idx, version FROM units WHERE job_id = ? AND idx >= ? AND idx < ?", ps -> {
            ps.setString(1, jobId);
            ps.setInt(2, from);
            ps.setInt(3, to);
        }, rs -> out.put(rs.getInt(1), rs.getLong(2)));
        return out;
    }

    @Override
    public Optional<WorkUnit> unit(String jobId, int index) {
        Optional<WorkUnit> later;
        synchronized (lock) {
            later = deferred.units.get(WorkUnit.id(jobId, index));
        }
        List<WorkUnit> out = new ArrayList<>();
        query("SELECT data FROM units WHERE job_id = ? AND idx = ?", ps -> {
            ps.setString(1, jobId);
            ps.setInt(2, index);
        }, rs -> out.add(UnitCodec.decode(rs.getBytes(1))));
        later.ifPresent(out::add);
        return out.stream().max(Comparator.comparingLong(WorkUnit::version));
    }

    @Override
    public List<WorkerRecord> workers() {
        List<WorkerRecord> later;
        synchronized (lock) {
            later = deferred.workers.matching(w -> true);
        }
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
        Optional<WorkerRecord> later;
        synchronized (lock) {
            later = deferred.workers.get(id);
        }
        List<WorkerRecord> out = new ArrayList<>();
        query("SELECT data FROM workers WHERE id = ?", ps -> ps.setString(1, id),
                rs -> out.add(Json.read(rs.getString(1), WorkerRecord.class)));
        later.ifPresent(out::add);
        return out.stream().max(Comparator.comparingLong(WorkerRecord::version));
    }

    @Override
    public void putResult(String jobId, MergedResult result) {
        update(merge("results", "job_id", "job_id,content_type,body", "VARCHAR(64),VARCHAR(100)," + dialect.binary, false),
                ps -> {
                    ps.setString(1, jobId);
                    ps.setString(2, result.contentType());
                    ps.setBytes(3, result.body());
                });
    }

    @Override
    public Optional<MergedResult> result(String jobId) {
        List<MergedResult> out = new ArrayList<>();
        query("SELECT content_type, body FROM results WHERE job_id = ?", ps -> ps.setString(1, jobId),
                rs -> out.add(new MergedResult(rs.getString(1), rs.getBytes(2))));
        return out.stream().findFirst();
    }

    @Override
    public void putBlob(String sha256, byte[] body) {
        update(merge("blobs", "sha256", "sha256,body", "CHAR(64)," + dialect.binary, false),
                ps -> {
                    ps.setString(1, sha256);
                    ps.setBytes(2, body);
                });
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
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            int rows = ps.executeUpdate();
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
    private void wrote(SQLException failure) {
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
        pool.getHikariPoolMXBean().softEvictConnections();
    }

    /**
     * While writes fail and none are waiting, writes a probe row about once a second, so that a store
     * that healed says so ({@link #writable}) even when nothing else writes.
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
            ps.setLong(1, now);
            ps.executeUpdate();
            wrote(null);
        } catch (SQLException e) {
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
        pool.close();
    }
}
