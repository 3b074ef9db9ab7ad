package org.enjambre.coordinator.data;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.Harness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reports naming output files (README, "Outputs as files"), against one real coordinator over HTTP: the coordinator
 * decides the form (above the threshold a file, else inline) whatever the worker sent, refuses a file it does not hold
 * whole so the worker uploads and retries, and turns an oversized or forged output into a client error.
 */
class OutputFileReportTest {
    static final int CHUNK = 4096;
    static final int THRESHOLD = 16 << 10;
    static final int MAX = 64 << 10;

    @TempDir
    Path dir;
    Coordinator c;
    String url;

    @BeforeEach
    void start() {
        c = Coordinator.start(Harness.options(dir).chunkBytes(CHUNK).outputFiles(THRESHOLD, MAX));
        url = c.url();
    }

    @AfterEach
    void stop() {
        c.close();
    }

    /** A one-unit noop job needing two agreeing replicas; returns its id. */
    private String job() {
        return Harness.submit(url, "{\"app\":\"noop\",\"input\":{\"n\":1},\"workUnits\":1,\"redundancy\":{\"replicas\":2,\"quorum\":2}}");
    }

    /** Registers a worker and fetches its one task; returns {token, task id}. */
    private String[] taskFor(String name) {
        Harness.Registered w = Harness.register(url, name, "noop");
        // A new job's units are indexed a moment after it is accepted: fetch until the task comes.
        Harness.Response[] got = new Harness.Response[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> (got[0] = Harness.fetch(url, w.token(), 1)).json().get("tasks").size() == 1);
        Harness.Response f = got[0];
        assertThat(f.json().get("outputFileBytes").asLong()).as("the threshold, told to workers").isEqualTo(THRESHOLD);
        assertThat(f.json().get("chunkBytes").asInt()).isEqualTo(CHUNK);
        return new String[]{w.token(), f.json().at("/tasks/0/id").asText()};
    }

    private Harness.Response reportFile(String[] task, String fileId) {
        return Harness.call("POST", url + "/api/v1/work/report", task[0],
                "{\"results\":[{\"id\":\"" + task[1] + "\",\"outputFile\":\"" + fileId + "\"}]}");
    }

    /** The unit view's replica of a task {@code jobId/0/replica}. */
    private JsonNode replica(String job, String[] task) {
        return Harness.units(url, job).at("/0/replicas/" + task[1].substring(task[1].lastIndexOf('/') + 1));
    }

    @Test
    void unknownOrIncompleteOutputFile_refusedForARetry_thenAcceptedOnceUploaded() {
        String job = job();
        String[] task = taskFor("uploader");
        Uploads out = Uploads.of(FileUploadTest.random(5 * CHUNK + 7, 1), CHUNK);

        Harness.Response unknown = reportFile(task, out.id());
        assertThat(unknown.status()).isEqualTo(200);
        assertThat(unknown.json().at("/rejected/0/code").asText()).isEqualTo("OUTPUT_FILE_UNKNOWN");
        assertThat(unknown.json().at("/rejected/0/message").asText()).contains("upload the output, then report it again");

        // A worker token may declare and upload (its outputs); half the chunks only.
        assertThat(Harness.call("POST", url + "/api/v1/files", task[0], out.manifest("output")).status()).isEqualTo(200);
        for (int i = 0; i < 3; i++) {
            assertThat(Uploads.put(url, task[0], out.hashes().get(i), out.chunks().get(i)).status()).isEqualTo(201);
        }
        Harness.Response incomplete = reportFile(task, out.id());
        assertThat(incomplete.json().at("/rejected/0/code").asText()).isEqualTo("OUTPUT_FILE_INCOMPLETE");
        assertThat(replica(job, task).get("state").asText()).as("nothing recorded for a refused report").isEqualTo("IN_PROGRESS");

        for (int i = 3; i < out.chunks().size(); i++) {
            Uploads.put(url, task[0], out.hashes().get(i), out.chunks().get(i));
        }
        Harness.Response accepted = reportFile(task, out.id());
        assertThat(accepted.json().get("accepted")).as(accepted.body()).hasSize(1);
        assertThat(replica(job, task).get("outputFile").asText()).isEqualTo(out.id());
        assertThat(replica(job, task).get("outcome").asText()).isEqualTo("SUCCESS");
    }

    @Test
    void largeInlineOutput_storedAsAFile_agreesWithTheSameBytesReportedAsAFile() {
        String job = job();
        Uploads out = Uploads.of(FileUploadTest.random(THRESHOLD + 1, 2), CHUNK);
        String[] a = taskFor("inline");
        String[] b = taskFor("by-file");

        Harness.Response inline = Harness.report(url, a[0], Map.of(a[1], out.bytes()));
        assertThat(inline.json().get("accepted")).as(inline.body()).hasSize(1);
        assertThat(replica(job, a).get("outputFile").asText()).as("kept as a file by the coordinator").isEqualTo(out.id());

        Harness.Response declared = Harness.call("POST", url + "/api/v1/files", b[0], out.manifest("output"));
        assertThat(declared.json().get("missing")).as("the second replica's bytes are stored already").isEmpty();
        assertThat(reportFile(b, out.id()).json().get("accepted")).hasSize(1);

        JsonNode unit = Harness.awaitJob(url, job, "COMPLETED", Duration.ofSeconds(30));
        assertThat(unit.at("/tasks/valid").asInt()).as("both replicas agreed by content hash").isEqualTo(2);
    }

    @Test
    void smallOutputFile_keptInline_andAgreesWithTheSameBytesInline() {
        String job = job();
        Uploads out = Uploads.of(FileUploadTest.random(THRESHOLD, 3), CHUNK);
        String[] a = taskFor("small-file");
        String[] b = taskFor("small-inline");
        out.uploadAll(url, "output");
        assertThat(reportFile(a, out.id()).json().get("accepted")).hasSize(1);
        assertThat(replica(job, a).has("outputFile")).as("at or below the threshold an output is inline").isFalse();
        assertThat(Harness.report(url, b[0], Map.of(b[1], out.bytes())).json().get("accepted")).hasSize(1);
        assertThat(Harness.awaitJob(url, job, "COMPLETED", Duration.ofSeconds(30)).at("/tasks/valid").asInt()).isEqualTo(2);
    }

    @Test
    void outputFileOverTheLimit_orAForgedReference_isAClientErrorOfItsReplica() {
        String job = job();
        String[] a = taskFor("too-large");
        String[] b = taskFor("forger");
        Uploads big = Uploads.of(FileUploadTest.random(MAX + 1, 4), CHUNK);
        big.uploadAll(url, "output");

        assertThat(reportFile(a, big.id()).json().get("accepted")).hasSize(1);
        JsonNode r0 = replica(job, a);
        assertThat(r0.get("outcome").asText()).isEqualTo("CLIENT_ERROR");
        assertThat(r0.get("error").asText()).contains("an output of " + (MAX + 1) + " bytes is over this coordinator's limit of " + MAX);

        byte[] forged = new org.enjambre.workunits.app.OutputFile(big.id(), 10).encode();
        assertThat(Harness.report(url, b[0], Map.of(b[1], forged)).json().get("accepted")).hasSize(1);
        JsonNode r1 = replica(job, b);
        assertThat(r1.get("outcome").asText()).isEqualTo("CLIENT_ERROR");
        assertThat(r1.get("error").asText()).contains("reserved output-file marker");
    }

    @Test
    void reportWithBothOutputAndOutputFile_isRefusedWhole() {
        job();
        String[] task = taskFor("confused");
        Harness.Response r = Harness.call("POST", url + "/api/v1/work/report", task[0], "{\"results\":[{\"id\":\"" + task[1]
                + "\",\"output\":\"" + Base64.getEncoder().encodeToString(new byte[]{1}) + "\",\"outputFile\":\"" + "0".repeat(64) + "\"}]}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().at("/error/message").asText()).contains("exactly one of output, outputFile and error");
        Harness.Response notAnId = Harness.call("POST", url + "/api/v1/work/report", task[0],
                "{\"results\":[{\"id\":\"" + task[1] + "\",\"outputFile\":42}]}");
        assertThat(notAnId.status()).isEqualTo(400);
        assertThat(notAnId.json().at("/error/field").asText()).isEqualTo("results[0].outputFile");
    }
}
