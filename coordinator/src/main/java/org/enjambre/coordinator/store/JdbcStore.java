package org.enjambre.coordinator.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.enjambre.coordinator.cluster.UnitCodec;
import org.enjambre.coordinator.jobs.JobRecord;
import org.enjambre.coordinator.workers.WorkerRecord;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The store on a SQL database: embedded H2 in the data directory (one peer), or PostgreSQL (peers on
 * several machines). Every write goes through one committer thread that drains all pending batches
 * into one transaction, so durability costs one commit per group, not one per request.
 */
public final class JdbcStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcStore.class);
    private static final int MAX_GROUP = 512;

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

    private final HikariDataSource pool;
    private final Dialect dialect;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread committer;
    private volatile boolean closed;

    private JdbcStore(String url, Dialect dialect) {
        this.dialect = dialect;
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
        String url = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("enjambre").toString()
                + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000";
        return new JdbcStore(url, Dialect.H2);
    }

    /** A store at a JDBC URL: {@code jdbc:postgresql:...} or {@code jdbc:h2:...}. */
    public static JdbcStore open(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return new JdbcStore(jdbcUrl, Dialect.POSTGRES);
        }
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            return new JdbcStore(jdbcUrl, Dialect.H2);
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
        }
    }

    @Override
    public CompletableFuture<Void> write(Batch batch) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (batch.isEmpty()) {
            done.complete(null);
            return done;
        }
        if (closed) {
            done.completeExceptionally(new StoreException("the store is closed", null));
            return done;
        }
        queue.add(new Pending(batch, done));
        return done;
    }

    private void commitLoop() {
        List<Pending> group = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                queue.drainTo(group, MAX_GROUP - 1);
                commit(group);
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

    private void commit(List<Pending> group) {
        Map<String, WorkUnit> units = new LinkedHashMap<>();
        Map<String, WorkerRecord> workers = new LinkedHashMap<>();
        Map<String, JobRecord> jobs = new LinkedHashMap<>();
        for (Pending p : group) {
            for (WorkUnit u : p.batch().units()) {
                units.merge(u.id(), u, (a, b) -> a.version() >= b.version() ? a : b);
            }
            for (WorkerRecord w : p.batch().workers()) {
                workers.merge(w.id(), w, (a, b) -> a.version() >= b.version() ? a : b);
            }
            for (JobRecord j : p.batch().jobs()) {
                jobs.merge(j.id(), j, (a, b) -> a.version() >= b.version() ? a : b);
            }
        }
        SQLException failure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try {
                    writeJobs(c, jobs.values());
                    writeUnits(c, units.values());
                    writeWorkers(c, workers.values());
                    c.commit();
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

    private void writeJobs(Connection c, Iterable<JobRecord> jobs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(merge("jobs", "id", "id,version,state,data",
                "VARCHAR(64),BIGINT,VARCHAR(16)," + dialect.text, true))) {
            int n = 0;
            for (JobRecord j : jobs) {
                ps.setString(1, j.id());
                ps.setLong(2, j.version());
                ps.setString(3, j.state().name());
                ps.setString(4, Json.write(j));
                ps.addBatch();
                n++;
            }
            if (n > 0) {
                ps.executeBatch();
            }
        }
    }

    private void writeUnits(Connection c, Iterable<WorkUnit> units) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(merge("units", "job_id,idx", "job_id,idx,version,state,data",
                "VARCHAR(64),INT,BIGINT,VARCHAR(16)," + dialect.binary, true))) {
            int n = 0;
            for (WorkUnit u : units) {
                ps.setString(1, u.jobId());
                ps.setInt(2, u.index());
                ps.setLong(3, u.version());
                ps.setString(4, u.state().name());
                ps.setBytes(5, UnitCodec.encode(u));
                ps.addBatch();
                n++;
            }
            if (n > 0) {
                ps.executeBatch();
            }
        }
    }

    private void writeWorkers(Connection c, Iterable<WorkerRecord> workers) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(merge("workers", "id", "id,version,data",
                "VARCHAR(64),BIGINT," + dialect.text, true))) {
            int n = 0;
            for (WorkerRecord w : workers) {
                ps.setString(1, w.id());
                ps.setLong(2, w.version());
                ps.setString(3, Json.write(w));
                ps.addBatch();
                n++;
            }
            if (n > 0) {
                ps.executeBatch();
            }
        }
    }

    @Override
    public List<JobRecord> jobs() {
        List<JobRecord> out = new ArrayList<>();
        query("SELECT data FROM jobs", ps -> { }, rs -> out.add(Json.read(rs.getString(1), JobRecord.class)));
        return out;
    }

    @Override
    public Optional<JobRecord> job(String id) {
        List<JobRecord> out = new ArrayList<>();
        query("SELECT data FROM jobs WHERE id = ?", ps -> ps.setString(1, id),
                rs -> out.add(Json.read(rs.getString(1), JobRecord.class)));
        return out.stream().findFirst();
    }

    @Override
    public Map<Integer, WorkUnit> units(String jobId) {
        Map<Integer, WorkUnit> out = new HashMap<>();
        query("SELECT idx, data FROM units WHERE job_id = ?", ps -> ps.setString(1, jobId),
                rs -> out.put(rs.getInt(1), UnitCodec.decode(rs.getBytes(2))));
        return out;
    }

    @Override
    public Optional<WorkUnit> unit(String jobId, int index) {
        List<WorkUnit> out = new ArrayList<>();
        query("SELECT data FROM units WHERE job_id = ? AND idx = ?", ps -> {
            ps.setString(1, jobId);
            ps.setInt(2, index);
        }, rs -> out.add(UnitCodec.decode(rs.getBytes(1))));
        return out.stream().findFirst();
    }

    @Override
    public List<WorkerRecord> workers() {
        List<WorkerRecord> out = new ArrayList<>();
        query("SELECT data FROM workers", ps -> { }, rs -> out.add(Json.read(rs.getString(1), WorkerRecord.class)));
        return out;
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
            throw new StoreException("query failed: " + e.getMessage(), e);
        }
    }

    private void update(String sql, Binder binder) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("write failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            committer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.close();
    }
}
