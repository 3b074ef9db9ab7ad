package org.enjambre.coordinator.store;

import com.zaxxer.hikari.HikariDataSource;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.WorkUnit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes versioned records (units, workers, jobs) into their tables, one transaction per batch; a row is
 * replaced only by a newer version. Used by the committer (direct writes, PostgreSQL or a shared H2) and
 * by the {@link Compactor} (the embedded H2 behind the journal). Thread-safe.
 */
final class Tables {
    private final HikariDataSource pool;
    private final String mergeJobs;
    private final String mergeUnits;
    private final String mergeWorkers;
    /** Unit rows written (merged) so far; for tests. */
    private final AtomicLong unitRowsWritten = new AtomicLong();

    Tables(HikariDataSource pool, Dialect dialect) {
        this.pool = pool;
        this.mergeJobs = merge("jobs", "id", "id,version,state,data", "VARCHAR(64),BIGINT,VARCHAR(16)," + dialect.text, true);
        this.mergeUnits = merge("units", "job_id,idx", "job_id,idx,version,state,data",
                "VARCHAR(64),INT,BIGINT,VARCHAR(16)," + dialect.binary, true);
        this.mergeWorkers = merge("workers", "id", "id,version,data", "VARCHAR(64),BIGINT," + dialect.text, true);
    }

    long unitRowsWritten() {
        return unitRowsWritten.get();
    }

    /**
     * Writes the batch (newest version per key already) in one transaction, trying up to three times with
     * fresh connections; when {@code sync}, forces the database to disk after the commit (H2 only).
     * Returns null, or the last failure.
     */
    SQLException write(Store.Batch batch, boolean sync) {
        SQLException failure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            if (attempt > 0) {
                reopen();
            }
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try {
                    writeJobs(c, batch.jobs());
                    writeUnits(c, batch.units());
                    writeWorkers(c, batch.workers());
                    c.commit();
                } catch (SQLException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
                if (sync) {
                    try (Statement s = c.createStatement()) {
                        s.execute("CHECKPOINT SYNC");
                    }
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

    private void writeUnits(Connection c, Collection<WorkUnit> units) throws SQLException {
        writeRows(c, mergeUnits, units, (ps, u) -> {
            ps.setString(1, u.jobId());
            ps.setInt(2, u.index());
            ps.setLong(3, u.version());
            ps.setString(4, u.state().name());
            ps.setBytes(5, UnitCodec.encode(u));
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
