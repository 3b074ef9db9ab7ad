package org.enjambre.coordinator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.Harness;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.app.RunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A report can change a unit in the cluster and then fail to reach the store (its peer dies between the
 * two, as a {@code kill -9} may do). Here a PostgreSQL trigger makes that store write fail, and the
 * worker does not retry. The job still completes from the cluster's state, and its stored units must say
 * what its result says: every unit DONE.
 */
class CompletedJobStoreTest {
    @RegisterExtension
    static final PeerCluster.Fixture CLUSTER = new PeerCluster.Fixture();

    @TempDir
    Path dir;
    Coordinator coordinator;

    @AfterEach
    void stop() {
        if (coordinator != null) {
            coordinator.close();
        }
    }

    @Test
    void completedJob_storesEveryUnitDone_evenWhenTheReportThatFinishedItWasNotWritten() throws Exception {
        String db = CLUSTER.database();
        coordinator = Coordinator.start(Harness.options(dir).db(db));
        String url = coordinator.url();
        Harness.Response sub = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY,
                "{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":1000},\"workUnits\":1}");
        assertThat(sub.status()).as(sub.body()).isEqualTo(201);
        String id = sub.json().get("id").asText();
        String a = register(url, "a");
        String b = register(url, "b");
        JsonNode taskA = fetchOne(url, a);
        JsonNode taskB = fetchOne(url, b);
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement()) {
            // While poison_on has a row, every write of a DONE unit fails.
            s.execute("CREATE TABLE poison_on (on_ INT)");
            s.execute("INSERT INTO poison_on VALUES (1)");
            s.execute("CREATE FUNCTION poison_done() RETURNS trigger AS $$ BEGIN "
                    + "IF NEW.state = 'DONE' AND EXISTS (SELECT 1 FROM poison_on) THEN RAISE EXCEPTION 'the peer died'; END IF; "
                    + "RETURN NEW; END $$ LANGUAGE plpgsql");
            s.execute("CREATE TRIGGER poison BEFORE INSERT OR UPDATE ON units FOR EACH ROW EXECUTE FUNCTION poison_done()");

            assertThat(report(url, a, taskA).status()).isEqualTo(200);
            Harness.Response lost = report(url, b, taskB);
            assertThat(lost.status()).as("the report whose store write failed: %s", lost.body()).isEqualTo(503);
            s.execute("DELETE FROM poison_on"); // the store works again; the worker does not retry its report
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(Harness.call("GET", url + "/api/v1/jobs/" + id, null, null).json().get("state").asText())
                        .isEqualTo("COMPLETED"));
        assertThat(Harness.call("GET", url + "/api/v1/jobs/" + id + "/result", null, null).json().get("count").asInt())
                .isEqualTo(168);
        JsonNode unit = Harness.call("GET", url + "/api/v1/jobs/" + id + "/units", null, null).json().get("units").get(0);
        assertThat(unit.get("state").asText()).as("the stored unit %s", unit).isEqualTo("DONE");
        assertThat(unit.get("replicas").findValuesAsText("validate")).containsExactly("VALID", "VALID");
    }

    private static String register(String url, String name) {
        Harness.Response r = Harness.call("POST", url + "/api/v1/workers/register", null,
                "{\"name\":\"" + name + "\",\"cores\":1,\"apps\":[\"primes\"]}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("token").asText();
    }

    private static JsonNode fetchOne(String url, String token) {
        Harness.Response r = Harness.call("POST", url + "/api/v1/work/fetch", token, "{\"max\":1}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("tasks")).hasSize(1);
        return r.json().get("tasks").get(0);
    }

    private static Harness.Response report(String url, String token, JsonNode task) throws Exception {
        byte[] output = AppRegistry.builtIns().get("primes")
                .run(Base64.getDecoder().decode(task.get("input").asText()), RunContext.inMemory());
        return Harness.call("POST", url + "/api/v1/work/report", token, "{\"results\":[{\"id\":\""
                + task.get("id").asText() + "\",\"output\":\"" + Base64.getEncoder().encodeToString(output) + "\"}]}");
    }
}
