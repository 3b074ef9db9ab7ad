package org.enjambre.coordinator.store;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.spec.Redundancy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** Records for the store tests, and the version of a unit's row read from the embedded database's table itself. */
final class StoreRows {
    private StoreRows() {
    }

    static WorkUnit unit(String job, int index, long version) {
        return new WorkUnit(job, index, Redundancy.DEFAULT, UnitState.NEEDS_REPLICAS,
                List.of(Task.unsent(0), Task.unsent(1)), -1, null, version);
    }

    static JobRecord job(String id, JobState state, long version) {
        return new JobRecord(id, "a job", "noop", "{}", 4, 0, state, 1, 0, 0, null, null, version);
    }

    /** Whether the results table of the H2 store in {@code dir} holds a row for {@code job} (not through the store). */
    static boolean resultInTable(Path dir, String job) throws SQLException {
        try (Connection c = DriverManager.getConnection(JdbcStore.h2Url(dir));
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM results WHERE job_id = ?")) {
            ps.setString(1, job);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The version of the unit's row in the table of the H2 store in {@code dir} (not through the store), or -1. */
    static long tableVersion(Path dir, String job, int index) throws SQLException {
        try (Connection c = DriverManager.getConnection(JdbcStore.h2Url(dir));
             PreparedStatement ps = c.prepareStatement("SELECT version FROM units WHERE job_id = ? AND idx = ?")) {
            ps.setString(1, job);
            ps.setInt(2, index);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }
}
