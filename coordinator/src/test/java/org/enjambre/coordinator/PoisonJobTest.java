package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.store.JdbcStore;
import org.enjambre.coordinator.store.Store;
import org.enjambre.workunits.model.JobState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs too big to serve (issue 13, "poison job"): refused at submission with a 4xx/503 naming the limit
 * and leaving no row behind; and a row that a restart cannot load (written by an older version, or
 * corrupt) is marked FAILED with its reason while the peer starts and serves.
 */
class PoisonJobTest {
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
    void submit_poisonJob_isRefusedNamingWorkUnitsAndStoresNothing() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();

        Harness.Response r = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY,
                "{\"app\":\"primes\",\"input\":{\"from\":0,\"to\":10000000000000},\"workUnits\":10000000}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().at("/error/field").asText()).isEqualTo("workUnits");
        assertThat(r.json().at("/error/message").asText()).isEqualTo("workUnits (10000000) must be between 1 and 1000000");
        assertThat(Harness.get(url + "/api/v1/jobs").get("jobs")).isEmpty();
    }

    @Test
    void submit_unitTooCostlyForTheDeadline_isRefusedWithTheFix() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();

        Harness.Response r = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY,
                "{\"app\":\"mandelbrot\",\"input\":{\"width\":8192,\"height\":8192,\"xMin\":-2,\"xMax\":1,\"yMin\":-1.5,"
                        + "\"yMax\":1.5,\"maxIterations\":100000},\"workUnits\":1}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().at("/error/field").asText()).isEqualTo("workUnits");
        assertThat(r.json().at("/error/message").asText()).contains("estimated at up to 67,109 s", "use at least");
        assertThat(Harness.get(url + "/api/v1/jobs").get("jobs")).isEmpty();
    }

    @Test
    void submit_moreUnitsThanTheHeapHolds_isRefused503NamingTheLimit() {
        // 1,000,000 units take ~800 MB, more than half of any free heap below 1.6 GB; the suite runs with
        // -Xmx1g (pom.xml surefire.argLine).
        assertThat(Runtime.getRuntime().maxMemory()).as("the test JVM's heap").isLessThan(1600L << 20);
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();

        Harness.Response r = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY,
                "{\"app\":\"noop\",\"input\":\"x\",\"workUnits\":1000000}");

        assertThat(r.status()).isEqualTo(503);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("INSUFFICIENT_MEMORY");
        assertThat(r.json().at("/error/field").asText()).isEqualTo("workUnits");
        assertThat(r.json().at("/error/message").asText()).startsWith("the cluster cannot hold 1000000 work units now")
                .contains("use at most");
        assertThat(Harness.get(url + "/api/v1/jobs").get("jobs")).isEmpty();
    }

    @Test
    void submit_nameWithAnsiEscape_isRefusedNamingName() {
        coordinator = Coordinator.start(Harness.options(dir));

        Harness.Response r = Harness.call("POST", coordinator.url() + "/api/v1/jobs", Harness.KEY,
                "{\"app\":\"noop\",\"input\":0,\"name\":\"\\u001b[2J\\u001b[31mpwned\"}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().at("/error/field").asText()).isEqualTo("name");
        assertThat(r.json().at("/error/message").asText()).isEqualTo("name must be printable: it holds the control character U+001B at position 0");
    }

    @Test
    void start_onRowsItCannotLoad_startsAndMarksThoseJobsFailedWithTheReason() {
        try (Store store = JdbcStore.h2(dir)) {
            store.writeNow(new Store.Batch(List.of(), List.of(), List.of(
                    // what the old limits let through: ten million units; a restart ran out of memory loading them
                    job("j-poison", "primes", 10_000_000, 1, "{\"from\":0,\"to\":10000000000000}"),
                    job("j-corrupt", "primes", 10, 3, null),
                    job("j-fine", "primes", 10, 4, "{\"from\":2,\"to\":1000}"))));
        }

        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();

        assertThat(Harness.get(url + "/health").get("status").asText()).isEqualTo("UP");
        JsonNode poison = Harness.job(url, "j-poison");
        assertThat(poison.get("state").asText()).isEqualTo("FAILED");
        assertThat(poison.get("failure").asText()).isEqualTo("the job could not be loaded when the coordinator started: "
                + "its 10000000 work units are outside 1..1000000");
        JsonNode corrupt = Harness.job(url, "j-corrupt");
        assertThat(corrupt.get("state").asText()).isEqualTo("FAILED");
        assertThat(corrupt.get("failure").asText()).contains("its stored spec cannot be read");
        assertThat(Harness.job(url, "j-fine").get("state").asText()).isEqualTo("QUEUED");
        // and the peer serves: a new job is accepted and its units are there
        String id = Harness.submit(url, Harness.primesSpec(2, 1000, 3, 1, 1, null));
        assertThat(Harness.units(url, id)).hasSize(3);
    }

    /** A queued job row as a coordinator stores it; {@code input} null gives a spec that cannot be read. */
    static JobRecord job(String id, String app, int units, long submittedAt, String input) {
        String spec = input == null ? "{\"app\":\"primes\"}"
                : "{\"name\":\"" + id + "\",\"app\":\"" + app + "\",\"input\":" + input + ",\"workUnits\":" + units
                + ",\"redundancy\":{\"replicas\":1,\"quorum\":1,\"maxErrors\":3,\"maxResults\":6,\"adaptive\":false},"
                + "\"deadlineSeconds\":600,\"priority\":0}";
        return new JobRecord(id, id, app, spec, units, 0, JobState.QUEUED, submittedAt, 0, 0, null, null, 1);
    }
}
