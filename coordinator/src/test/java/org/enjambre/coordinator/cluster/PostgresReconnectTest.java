package org.enjambre.coordinator.cluster;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.store.JdbcStore;
import org.enjambre.coordinator.store.Store;
import org.enjambre.workunits.model.JobState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store on PostgreSQL loses every connection (the server terminates its backends, as a restart or a
 * failover does): the next writes reconnect by themselves and nothing acknowledged is lost.
 */
class PostgresReconnectTest {
    @RegisterExtension
    static final PeerCluster.Fixture CLUSTER = new PeerCluster.Fixture();

    private static JobRecord job(String id) {
        return new JobRecord(id, "a job", "noop", "{}", 4, 0, JobState.QUEUED, 1, 0, 0, null, null, 1);
    }

    /** Terminates every backend of the database but the caller's; returns how many. */
    private static int terminateBackends(String url, String database) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
             PreparedStatement ps = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                     + " WHERE datname = ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    void write_afterEveryConnectionWasTerminated_reconnectsAndKeepsWhatWasAcknowledged() throws SQLException {
        String url = CLUSTER.database();
        String database = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
        try (Store store = JdbcStore.open(url)) {
            store.writeNow(new Store.Batch(List.of(), List.of(), List.of(job("j-before"))));

            assertThat(terminateBackends(url, database)).isPositive();
            store.writeNow(new Store.Batch(List.of(), List.of(), List.of(job("j-after"))));

            assertThat(store.writable()).isTrue();
            assertThat(store.jobs()).extracting(JobRecord::id).containsExactlyInAnyOrder("j-before", "j-after");
        }
    }
}
