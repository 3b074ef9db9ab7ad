package org.enjambre.coordinator.store;

import com.zaxxer.hikari.HikariDataSource;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.WorkUnit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Writes versioned records (units, workers, jobs) and results into their tables, one transaction per batch; a row
 * is replaced only by a newer version (a result never: a job has one). Used by the committer (direct writes, PostgreSQL or a shared H2) and
 * by the {@link Compactor} (the embedded H2 behind the journal). Thread-safe.
 *
 * <p>Units are written with one {@code MERGE} each (the newer version wins inside the database, so peers
 * may write concurrently), or, when this is the table's {@code soleWriter} (the compactor, one at a time),
 * by reading the stored versions of the batch's index range first and then inserting the new rows and
 * updating the older ones: plain inserts cost H2 a fraction of a {@code MERGE}, and most units a compaction
 * writes are new.
 */
final class Tables {
    private final HikariDataSource pool;
    private final String mergeJobs;
    private final String mergeUnits;
    private final String mergeWorkers;
    /** A job's result: inserted once, never replaced (a job has one). */
    private final String mergeResults;
    /** Unit rows written (merged) so far; for tests. */
    private final AtomicLong unitRowsWritten = new AtomicLong();

    private final boolean soleWriter;

    Tables(HikariDataSource pool, Dialect dialect, boolean soleWriter) {
        this.pool = pool;
        this.soleWriter = soleWriter;
        this.mergeJobs = merge("jobs", "id", "id,version,state,data", "VARCHAR(64),BIGINT,VARCHAR(16)," + dialect.text, true);
        this.mergeUnits = merge("units", "job_id,idx", "job_id,idx,version,state,data",
                "VARCHAR(64),INT,BIGINT,VARCHAR(16)," + dialect.binary, true);
        this.mergeWorkers = merge("workers", "id", "id,version,data", "VARCHAR(64),BIGINT," + dialect.text, true);
        this.mergeResults = merge("results", "job_id", "job_id,content_type,body", "VARCHAR(64),VARCHAR(100)," + dialect.binary, false);
    }

    long unitRowsWritten() {
        return unitRowsWritten.get();
    }

    /** Forces an embedded (H2) database to disk: its commit writes but does not sync. */
    static void forceToDisk(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CHECKPOINT SYNC");
        }
    }

    /**
     * Writes the batch (newest version per key already) in one transaction, trying up to three times with
     * fresh connections; when {@code sync}, forces the database to disk after the commit (H2 only).
     * Returns null, or the last failure.
     */
    SQLException write(Store.Batch batch, boolean sync) {
        return write(batch, sync, u -> null);
    }

    /**
     * {@link #write(Store.Batch, boolean)}, taking each unit's row bytes from {@code encoded} when it has them (the
     * journal encoded the unit already), else encoding it.
     */
    SQLException write(Store.Batch batch, boolean sync, Function<WorkUnit, byte[]> encoded) {
        Function<WorkUnit, byte[]> bytes = u -> {
            byte[] b = encoded.apply(u);
            return b != null ? b : UnitCodec.encode(u);
        };
        SQLException failure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            if (attempt > 0) {
                reopen();
            }
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try {
                    writeJobs(c, batch.jobs());
                    if (soleWriter) {
                        writeUnitsAlone(c, batch.units(), bytes);
                    } else {
                        writeUnits(c, batch.units(), bytes);
                    }
                    writeWorkers(c, batch.workers());
                    writeResults(c, batch.results());
                    c.commit();
                } catch (SQLException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
                if (sync) {
                    forceToDisk(c);
                }
                unitRowsWritten.addAndGet(batch.units().size());
                return null;
            } catch (SQLException e) {
                failure = e;
            }
        }
        return failure;
    }

    /** Replaces the pool's connections: idle ones now, those in use when they are returned. */
    void reopen() {
        pool.getHikariPoolMXBean().softEvictConnections();
    }

    /**
     * Standard SQL MERGE (H2 2.x, PostgreSQL 15+): insert, or, when {@code versioned}, update only a row
     * with an older version; otherwise an existing row is left as it is.
     */
    static String merge(String table, String key, String columns, String types, boolean versioned) {
        String[] cols = columns.split(",");
        String[] tys = types.split(",");
        Set<String> keys = Set.of(key.split(","));
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
            if (!keys.contains(cols[i])) {
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

    @FunctionalInterface
    private interface RowBinder<T> {
        void bind(PreparedStatement ps, T row) throws SQLException;
    }

    /** A unit's columns in table order: job_id, idx, version, state, data. */
    private static RowBinder<WorkUnit> unitRow(Function<WorkUnit, byte[]> bytes) {
        return (ps, u) -> bindUnit(ps, 1, u, bytes);
    }

    /** Binds a unit's columns from parameter {@code at} on; the next parameter's number. */
    private static int bindUnit(PreparedStatement ps, int at, WorkUnit u, Function<WorkUnit, byte[]> bytes) throws SQLException {
        ps.setString(at, u.jobId());
        ps.setInt(at + 1, u.index());
        ps.setLong(at + 2, u.version());
        ps.setString(at + 3, u.state().name());
        ps.setBytes(at + 4, bytes.apply(u));
        return at + 5;
    }

    /** Runs the statement once per row, as one JDBC batch. */
    private static <T> void writeRows(Connection c, String sql, Collection<T> rows, RowBinder<T> binder) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (T row : rows) {
                binder.bind(ps, row);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void writeJobs(Connection c, Collection<JobRecord> jobs) throws SQLException {
        writeRows(c, mergeJobs, jobs, (ps, j) -> {
            ps.setString(1, j.id());
            ps.setLong(2, j.version());
            ps.setString(3, j.state().name());
            ps.setString(4, Json.write(j));
        });
    }

    private void writeUnits(Connection c, Collection<WorkUnit> units, Function<WorkUnit, byte[]> bytes) throws SQLException {
        writeRows(c, mergeUnits, units, unitRow(bytes));
    }

    /**
     * Units by job: the stored versions of each job's index range read at once, then new rows inserted and
     * older ones updated; a job whose units are spread far apart (the range much larger than the count) is
     * merged instead. Only correct while nothing else writes the table meanwhile.
     */
    private void writeUnitsAlone(Connection c, Collection<WorkUnit> units, Function<WorkUnit, byte[]> bytes) throws SQLException {
        Map<String, List<WorkUnit>> byJob = new HashMap<>();
        units.forEach(u -> byJob.computeIfAbsent(u.jobId(), k -> new ArrayList<>()).add(u));
        List<WorkUnit> inserts = new ArrayList<>();
        List<WorkUnit> updates = new ArrayList<>();
        List<WorkUnit> merges = new ArrayList<>();
        for (Map.Entry<String, List<WorkUnit>> job : byJob.entrySet()) {
            List<WorkUnit> rows = job.getValue();
            int from = rows.stream().mapToInt(WorkUnit::index).min().orElseThrow();
            int to = rows.stream().mapToInt(WorkUnit::index).max().orElseThrow();
            if ((long) to - from > 4L * rows.size() + 64) {
                merges.addAll(rows);
                continue;
            }
            Map<Integer, Long> stored = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT idx, version FROM units WHERE job_id = ? AND idx >= ? AND idx <= ?")) {
                ps.setString(1, job.getKey());
                ps.setInt(2, from);
                ps.setInt(3, to);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        stored.put(rs.getInt(1), rs.getLong(2));
                    }
                }
            }
            for (WorkUnit u : rows) {
                Long v = stored.get(u.index());
                if (v == null) {
                    inserts.add(u);
                } else if (v < u.version()) {
                    updates.add(u);
                } // else the table holds this version or a newer one already
            }
        }
        insertUnits(c, inserts, bytes);
        writeRows(c, "UPDATE units SET version = ?, state = ?, data = ? WHERE job_id = ? AND idx = ?", updates, (ps, u) -> {
            ps.setLong(1, u.version());
            ps.setString(2, u.state().name());
            ps.setBytes(3, bytes.apply(u));
            ps.setString(4, u.jobId());
            ps.setInt(5, u.index());
        });
        writeUnits(c, merges, bytes);
    }

    /** Rows per multi-row {@code INSERT} of new units. */
    static final int INSERT_ROWS = 64;
    private static final String INSERT_UNIT = "INSERT INTO units (job_id, idx, version, state, data) VALUES (?, ?, ?, ?, ?)";
    private static final String INSERT_UNITS = INSERT_UNIT + ", (?, ?, ?, ?, ?)".repeat(INSERT_ROWS - 1);

    /**
     * New unit rows, {@link #INSERT_ROWS} per statement ({@code INSERT ... VALUES (..), (..), ...}), the rest one
     * per statement in a batch: H2 starts and ends a statement for every row of a JDBC batch, which was ~17 % of the
     * compactor's time (BENCHMARKS.md, ninth session).
     */
    private void insertUnits(Connection c, List<WorkUnit> rows, Function<WorkUnit, byte[]> bytes) throws SQLException {
        int full = rows.size() / INSERT_ROWS * INSERT_ROWS;
        if (full > 0) {
            try (PreparedStatement ps = c.prepareStatement(INSERT_UNITS)) {
                for (int from = 0; from < full; from += INSERT_ROWS) {
                    int p = 1;
                    for (WorkUnit u : rows.subList(from, from + INSERT_ROWS)) {
                        p = bindUnit(ps, p, u, bytes);
                    }
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        writeRows(c, INSERT_UNIT, rows.subList(full, rows.size()), unitRow(bytes));
    }

    /** The SQL that stores a job's result (insert once, never replace). */
    String mergeResults() {
        return mergeResults;
    }

    private void writeResults(Connection c, Collection<Store.Result> results) throws SQLException {
        writeRows(c, mergeResults, results, (ps, r) -> {
            ps.setString(1, r.jobId());
            ps.setString(2, r.result().contentType());
            ps.setBytes(3, r.result().body());
        });
    }

    private void writeWorkers(Connection c, Collection<WorkerRecord> workers) throws SQLException {
        writeRows(c, mergeWorkers, workers, (ps, w) -> {
            ps.setString(1, w.id());
            ps.setLong(2, w.version());
            ps.setString(3, Json.write(w));
        });
    }
}
