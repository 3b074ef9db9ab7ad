package org.enjambre.coordinator.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.Harness;
import org.enjambre.coordinator.TestWorker;
import org.enjambre.coordinator.store.Json;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.app.RunContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in real headless Chromium against a real coordinator and workers speaking the HTTP
 * worker protocol: jobs, progress, workers, cancel with and without the key, the submit form, live
 * updates, and a phone-width screen. One coordinator and one browser for the class.
 */
class DashboardBrowserTest {
    /** States of a job that was not cancelled (a stopping worker of an earlier test may still take a task). */
    private static final String[] NOT_CANCELLED = {"QUEUED", "RUNNING"};

    @TempDir
    static Path dir;
    static Coordinator coordinator;
    static Chromium browser;
    static DashboardPage page;
    static String url;

    @BeforeAll
    static void start() {
        coordinator = Coordinator.start(Harness.options(dir));
        url = coordinator.url();
        browser = Chromium.start();
        page = new DashboardPage(browser, url);
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (coordinator != null) {
                coordinator.close();
            }
        }
    }

    @Test
    void jobSubmittedOverTheApi_appears_andItsProgressReaches100WithoutReload() {
        page.open("jobs");
        String id = submit("{\"name\":\"forty noops\",\"app\":\"noop\",\"input\":{},\"workUnits\":40}");

        page.awaitCard(id, DashboardPage.SOON);
        assertThat(page.jobState(id)).isEqualTo("QUEUED");
        assertThat(page.role(id, "name").getText()).isEqualTo("forty noops");
        assertThat(page.progress(id)).isZero();
        assertThat(page.units(id, "total")).isEqualTo("40");
        page.recordProgress(id);

        Set<String> workerIds;
        try (TestWorker a = new TestWorker(url, "progress-a", TestWorker.Behaviour.HONEST);
             TestWorker b = new TestWorker(url, "progress-b", TestWorker.Behaviour.HONEST)) {
            workerIds = Set.of(a.id, b.id);
            page.await(Duration.ofSeconds(30), d -> page.progress(id) == 100 && "COMPLETED".equals(page.jobState(id)));
        }

        assertThat(job(id).get("state").asText()).isEqualTo("COMPLETED");
        assertThat(page.role(id, "state").getText()).isEqualTo("COMPLETED");
        assertThat(page.units(id, "done")).isEqualTo("40");
        WebElement result = page.role(id, "result");
        assertThat(result.isDisplayed()).isTrue();
        assertThat(result.getDomAttribute("href")).isEqualTo("api/v1/jobs/" + id + "/result");
        assertThat(page.cancelButton(id).isDisplayed()).as("no cancel on a finished job").isFalse();
        List<Long> seen = page.recordedProgress(id);
        assertThat(seen).as("progress values shown").startsWith(0L).endsWith(100L).isSorted();

        page.route("jobs/" + id); // the job page: every unit, its replicas, who ran them, the verdict
        page.await(DashboardPage.SOON, d -> d.findElements(By.cssSelector("#unit-rows > [data-unit-index]")).size() == 40);
        assertThat(page.driver().findElement(By.cssSelector("#job-detail > [data-job-id]")).getDomAttribute("data-job-id"))
                .isEqualTo(id);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> units = (List<Map<String, Object>>) page.js("""
                return Array.from(document.querySelectorAll('#unit-rows > [data-unit-index]'), row => ({
                  state: row.dataset.state,
                  replicas: Array.from(row.querySelectorAll('[data-replica]'), r => ({
                    validate: r.dataset.validate, canonical: r.dataset.canonical,
                    worker: r.querySelector('[data-role=worker]').dataset.workerId}))}));
                """);
        assertThat(units).hasSize(40).allSatisfy(unit -> {
            assertThat(unit.get("state")).isEqualTo("DONE");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> replicas = (List<Map<String, Object>>) unit.get("replicas");
            assertThat(replicas).hasSize(2).allSatisfy(r -> {
                assertThat(r.get("validate")).isEqualTo("VALID");
                assertThat(r.get("worker")).isIn(workerIds);
            });
            assertThat(replicas).filteredOn(r -> "true".equals(r.get("canonical"))).hasSize(1);
        });
        page.assertNotReloaded();
    }

    @Test
    void worker_appearsOnTheWorkersView_withItsThroughput() {
        page.open("workers");
        try (TestWorker worker = new TestWorker(url, "ada-laptop", TestWorker.Behaviour.HONEST)) {
            String row = "#worker-rows > [data-worker-id='" + worker.id + "']";
            page.await(DashboardPage.SOON, d -> !d.findElements(By.cssSelector(row)).isEmpty());
            assertThat(cell(row, "name")).isEqualTo("ada-laptop");
            assertThat(cell(row, "platform")).isEqualTo("test");
            assertThat(cell(row, "cores")).isEqualTo("2");
            assertThat(cell(row, "status")).isEqualTo("online");
            assertThat(page.driver().findElement(By.cssSelector(row)).getDomAttribute("data-online")).isEqualTo("true");

            String id = submit("{\"app\":\"noop\",\"input\":{},\"workUnits\":30,\"redundancy\":{\"replicas\":1,\"quorum\":1}}");
            page.await(Duration.ofSeconds(30), d -> "COMPLETED".equals(job(id).get("state").asText()));

            page.await(DashboardPage.SOON, d -> throughput(cell(row, "throughput")) > 0);
            JsonNode fromApi = workerFromApi(worker.id);
            assertThat(fromApi.get("reported").asLong()).isGreaterThanOrEqualTo(30);
            assertThat(fromApi.get("tasksPerSecond").asDouble()).isPositive();
        }
        page.assertNotReloaded();
    }

    @Test
    void overview_peerRow_showsHowManyWorkersCalledThatPeer() {
        try (TestWorker worker = new TestWorker(url, "peer-counted", TestWorker.Behaviour.HONEST)) {
            // its first fetch reached this peer: the cluster view counts it
            page.await(DashboardPage.SOON, d -> localPeer().get("workers").asLong() >= 1);
            String row = "#peer-rows > [data-peer-id='" + localPeer().get("id").asText() + "']";
            page.open("overview");
            page.await(DashboardPage.SOON, d -> !d.findElements(By.cssSelector(row)).isEmpty()
                    && cell(row, "workers").matches("[1-9][\\d,]*"));
            assertThat(Long.parseLong(cell(row, "workers").replace(",", ""))).isPositive();
        }
    }

    @Test
    void mandelbrot_fillsInBandByBandWhileItRenders_thenShowsTheResult() throws Exception {
        page.open("jobs");
        String id = submit("{\"name\":\"small mandelbrot\",\"app\":\"mandelbrot\",\"input\":{\"width\":64,\"height\":48,"
                + "\"xMin\":-2.5,\"xMax\":1.0,\"yMin\":-1.25,\"yMax\":1.25,\"maxIterations\":50},\"workUnits\":4,"
                + "\"redundancy\":{\"replicas\":1,\"quorum\":1}}");
        page.awaitCard(id, DashboardPage.SOON);
        assertThat(page.role(id, "figure").isDisplayed()).as("nothing rendered yet").isFalse();

        // A worker driven by hand: one band at a time, so the page must show each as it arrives.
        String token = Harness.call("POST", url + "/api/v1/workers/register", null,
                "{\"name\":\"by-hand\",\"platform\":\"test\",\"cores\":1,\"apps\":[\"mandelbrot\"]}")
                .json().get("token").asText();
        JsonNode first = fetchOne(token);
        page.await(DashboardPage.SOON, d -> "RUNNING".equals(page.jobState(id)));
        int[] bandA = runAndReport(token, first);
        page.await(DashboardPage.SOON, () -> "band " + bandA[0] + ".." + bandA[1] + " drawn; drawn rows: " + drawnRows(id),
                d -> drawnRows(id).equals(rows(bandA)));
        assertThat(page.role(id, "figure").getDomAttribute("data-final")).isEqualTo("false");

        int[] bandB = runAndReport(token, fetchOne(token));
        page.await(DashboardPage.SOON, () -> "bands " + bandA[0] + ".." + bandA[1] + " and " + bandB[0] + ".." + bandB[1]
                + " drawn; drawn rows: " + drawnRows(id), d -> drawnRows(id).equals(rows(bandA, bandB)));

        try (TestWorker w = new TestWorker(url, "mandelbrot-finisher", TestWorker.Behaviour.HONEST)) {
            page.await(Duration.ofSeconds(30), d -> "true".equals(page.role(id, "figure").getDomAttribute("data-final")));
        }
        assertThat(drawnRows(id)).isEqualTo(rows(new int[]{0, 48}));
        assertThat(page.role(id, "image").getDomAttribute("src")).startsWith("blob:");
        assertThat(page.role(id, "image").getDomAttribute("alt")).isEqualTo("Rendered image of small mandelbrot");
        page.assertNotReloaded();
    }

    @Test
    void cancel_isRefusedWithoutTheKey_withTheServersMessage_andWorksWithIt() {
        page.open("jobs");
        String id = submit("{\"name\":\"to cancel\",\"app\":\"noop\",\"input\":{},\"workUnits\":500}");
        page.awaitCard(id, DashboardPage.SOON);
        String serverSays = Harness.call("DELETE", url + "/api/v1/jobs/" + id, null, null).json()
                .get("error").get("message").asText();

        page.cancelButton(id).click();
        page.await(DashboardPage.SOON, d -> page.role(id, "action-error").isDisplayed());
        assertThat(page.role(id, "action-error").getText()).isEqualTo(serverSays)
                .isEqualTo("an API key is required (Authorization: Bearer <key>)");
        assertThat(job(id).get("state").asText()).isIn(NOT_CANCELLED);
        assertThat(page.jobState(id)).isIn(NOT_CANCELLED);
        assertThat(page.cancelButton(id).isDisplayed()).isTrue();

        page.enterKey("not-the-key-42");
        page.await(DashboardPage.SOON, d -> !page.role(id, "action-error").isDisplayed()); // a new key clears old errors
        page.cancelButton(id).click();
        page.await(DashboardPage.SOON, d -> page.role(id, "action-error").isDisplayed());
        assertThat(page.role(id, "action-error").getText()).isEqualTo("the API key is wrong");
        assertThat(job(id).get("state").asText()).isIn(NOT_CANCELLED);

        page.enterKey(Harness.KEY);
        page.await(DashboardPage.SOON, d -> !page.role(id, "action-error").isDisplayed());
        page.cancelButton(id).click();
        page.await(DashboardPage.SOON, d -> "CANCELLED".equals(page.jobState(id)));
        assertThat(job(id).get("state").asText()).isEqualTo("CANCELLED");
        assertThat(page.role(id, "action-error").isDisplayed()).isFalse();
        assertThat(page.cancelButton(id).isDisplayed()).isFalse();
        page.assertNotReloaded();
    }

    @Test
    void submitForm_showsTheValidationErrorAtTheField_andABetterSpecAppears() {
        page.open("jobs");
        page.enterKey(Harness.KEY);
        String bad = "{\"name\":\"bad quorum\",\"app\":\"noop\",\"input\":{},\"workUnits\":5,"
                + "\"redundancy\":{\"replicas\":2,\"quorum\":3}}";
        JsonNode serverError = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY, bad).json().get("error");
        assertThat(serverError.get("field").asText()).isEqualTo("redundancy.quorum");
        int jobsBefore = jobCount();

        WebElement spec = page.driver().findElement(By.id("job-spec"));
        writeSpec(bad);
        page.driver().findElement(By.id("submit-job")).click();

        WebElement error = page.driver().findElement(By.id("submit-error"));
        page.await(DashboardPage.SOON, d -> error.isDisplayed());
        assertThat(error.findElement(By.cssSelector("[data-role=error-message]")).getText())
                .isEqualTo(serverError.get("message").asText());
        assertThat(error.getDomAttribute("data-field")).isEqualTo("redundancy.quorum");
        assertThat(error.findElement(By.cssSelector("[data-role=error-field]")).getText()).isEqualTo("redundancy.quorum");
        assertThat(spec.getDomAttribute("aria-invalid")).isEqualTo("true");
        assertThat(spec.getDomAttribute("aria-describedby")).contains("submit-error");
        assertThat(page.js("const t = document.getElementById('job-spec');"
                + " return t.value.substring(t.selectionStart, t.selectionEnd);"))
                .as("the offending key is selected in the spec").isEqualTo("\"quorum\"");
        assertThat(jobCount()).isEqualTo(jobsBefore);

        writeSpec("{\"name\":\"from the form\",\"app\":\"noop\",\"input\":{},\"workUnits\":3}");
        page.driver().findElement(By.id("submit-job")).click();
        WebElement status = page.driver().findElement(By.id("submit-status"));
        String id = page.await(DashboardPage.SOON, d -> status.getDomAttribute("data-job-id"));
        assertThat(id).startsWith("j-");
        assertThat(status.findElement(By.cssSelector("[data-role=submitted-job]")).getText()).isEqualTo(id);
        assertThat(error.isDisplayed()).isFalse();
        assertThat(spec.getDomAttribute("aria-invalid")).isNull();
        page.awaitCard(id, DashboardPage.SOON);
        assertThat(page.role(id, "name").getText()).isEqualTo("from the form");
        assertThat(job(id).get("name").asText()).isEqualTo("from the form");
        assertThat(jobCount()).isEqualTo(jobsBefore + 1);
    }

    @Test
    void changes_arePushedAndShowWithinAboutASecond_withoutPollingOrReload() {
        page.open("jobs");
        double since = page.afterStartupReads("api/v1/jobs");

        long start = System.nanoTime();
        String id = submit("{\"name\":\"pushed\",\"app\":\"noop\",\"input\":{},\"workUnits\":200}");
        page.awaitCard(id, Duration.ofMillis(2000));
        long appearedMillis = (System.nanoTime() - start) / 1_000_000;

        Harness.call("DELETE", url + "/api/v1/jobs/" + id, Harness.KEY, null);
        start = System.nanoTime();
        page.await(Duration.ofMillis(2000), d -> "CANCELLED".equals(page.jobState(id)));
        long cancelledMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(page.requestsSince(since, "api/v1/jobs"))
                .as("the page learned it from the event stream, not by fetching the list (appeared after %d ms,"
                        + " cancelled after %d ms)", appearedMillis, cancelledMillis)
                .isEmpty();
        assertThat(page.connection()).isEqualTo("live");
        page.assertNotReloaded();
    }

    @Test
    void phoneWidth_jobsViewDoesNotScrollSideways_andItsControlsAreReachable() {
        browser.phone(375, 740);
        try {
            page.open("jobs");
            String id = submit("{\"name\":\"a job with a rather long name that must wrap on a narrow phone screen\","
                    + "\"app\":\"noop\",\"input\":{},\"workUnits\":300}");
            page.awaitCard(id, DashboardPage.SOON);
            assertThat(page.js("return window.innerWidth;")).isEqualTo(375L);
            assertNoSidewaysScroll("jobs");

            for (String selector : List.of("[data-nav=overview]", "[data-nav=workers]", "#api-key", "#forget-key",
                    "#job-filter", "#spec-example", "#job-spec", "#submit-job",
                    DashboardPage.cardSelector(id) + " [data-action=cancel]",
                    DashboardPage.cardSelector(id) + " [data-role=details]")) {
                assertReachable(selector);
            }

            page.enterKey(Harness.KEY);
            page.cancelButton(id).click();
            page.await(DashboardPage.SOON, d -> "CANCELLED".equals(page.jobState(id)));
            assertThat(job(id).get("state").asText()).isEqualTo("CANCELLED");

            page.route("workers");
            assertNoSidewaysScroll("workers");
            page.route("overview");
            assertNoSidewaysScroll("overview");
        } finally {
            browser.desktop();
        }
    }

    // ---- helpers

    private void assertNoSidewaysScroll(String view) {
        Object widths = page.js("const e = document.documentElement; return [e.scrollWidth, e.clientWidth];");
        @SuppressWarnings("unchecked")
        List<Long> w = (List<Long>) widths;
        assertThat(w.get(0)).as("scrollWidth of the %s view at %d px", view, w.get(1)).isLessThanOrEqualTo(w.get(1));
    }

    /** The control is shown, lies inside the screen's width, and a tap on its middle reaches it. */
    private void assertReachable(String selector) {
        Object hit = page.js("""
                const el = document.querySelector(arguments[0]);
                if (!el) return 'missing';
                el.scrollIntoView({block: 'center', inline: 'nearest'});
                const r = el.getBoundingClientRect();
                if (r.width === 0 || r.height === 0) return 'not shown';
                if (r.left < 0 || r.right > window.innerWidth) return `outside the screen: ${r.left}..${r.right}`;
                const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                if (top && (top === el || el.contains(top))) return 'ok';
                return `covered by ${top && top.outerHTML.slice(0, 80)}`;
                """, selector);
        assertThat(hit).as(selector).isEqualTo("ok");
    }

    /** Puts a spec into the form's text area as pasting would (typing it key by key is slow on a busy machine). */
    @Test
    void jobDetail_unitNoWorkerMayTake_showsWhyTheJobIsNotMoving_asText(@TempDir Path own) {
        // Its own coordinator: workers of the other tests stay "connected" for a minute and could take the unit.
        try (Coordinator alone = Coordinator.start(Harness.options(own))) {
            String at = alone.url();
            Harness.Response submitted = Harness.call("POST", at + "/api/v1/jobs", Harness.KEY, "{\"app\":\"noop\",\"input\":{},"
                    + "\"workUnits\":1,\"deadlineSeconds\":600,\"redundancy\":{\"replicas\":2,\"quorum\":2,\"maxErrors\":2}}");
            String id = submitted.json().get("id").asText();
            Harness.Registered a = Harness.register(at, "a", "noop");
            Harness.Registered b = Harness.register(at, "b", "noop");
            String taskOfA = Harness.fetch(at, a.token(), 1).json().get("tasks").get(0).get("id").asText();
            assertThat(Harness.fetch(at, b.token(), 1).json().get("tasks")).hasSize(1);
            Harness.call("POST", at + "/api/v1/work/report", a.token(),
                    "{\"results\":[{\"id\":\"" + taskOfA + "\",\"error\":\"boom\"}]}");

            DashboardPage detail = new DashboardPage(browser, at);
            detail.open("jobs/" + id);
            String card = "#job-detail > [data-job-id='" + id + "']";
            detail.await(Duration.ofSeconds(10), d -> d.findElement(By.cssSelector(card + " [data-role=blockers-panel]")).isDisplayed());
            List<WebElement> blockers = detail.driver().findElements(By.cssSelector(card + " [data-role=blockers] > li"));
            assertThat(blockers).hasSize(1);
            assertThat(blockers.get(0).getDomAttribute("data-blocker")).isEqualTo("placement");
            assertThat(blockers.get(0).getText()).isEqualTo("1 unit has no eligible worker: every connected worker that runs"
                    + " noop already holds or held a replica of it, or shares its account or host (placement)");
            assertThat(detail.driver().findElement(By.cssSelector(card + " [data-role=units]")).getText())
                    .isEqualTo("0 done · 0 running · 0 waiting · 1 queued · 0 failed of 1");
        }
    }

    private void writeSpec(String spec) {
        page.js("""
                const t = document.getElementById('job-spec');
                t.focus();
                t.value = arguments[0];
                t.dispatchEvent(new Event('input', {bubbles: true}));
                """, spec);
    }

    /**
     * The rows of the job's image that are drawn, in order; empty while no image shows. A row is not
     * drawn when every pixel is transparent or the preview's "pending" grey (#9a9a9a).
     */
    @SuppressWarnings("unchecked")
    private List<Long> drawnRows(String id) {
        return (List<Long>) page.js("""
                const img = document.querySelector(`#job-list > [data-job-id="${arguments[0]}"] [data-role=image]`);
                if (!img || img.closest('[hidden]') || !img.complete || !img.naturalWidth) return [];
                const c = document.createElement('canvas');
                c.width = img.naturalWidth;
                c.height = img.naturalHeight;
                const g = c.getContext('2d');
                g.drawImage(img, 0, 0);
                const rows = [];
                for (let y = 0; y < c.height; y++) {
                  const px = g.getImageData(0, y, c.width, 1).data;
                  let drawn = false;
                  for (let i = 0; i < px.length; i += 4) {
                    const pending = px[i + 3] === 0 || (px[i] === 0x9a && px[i + 1] === 0x9a && px[i + 2] === 0x9a);
                    drawn = drawn || !pending;
                  }
                  if (drawn) rows.push(y);
                }
                return rows;
                """, id);
    }

    /** Rows [from, to) of each band, in order. */
    private static List<Long> rows(int[]... bands) {
        return java.util.Arrays.stream(bands).sorted(java.util.Comparator.comparingInt(b -> b[0]))
                .flatMapToLong(b -> java.util.stream.LongStream.range(b[0], b[1])).boxed().toList();
    }

    private static JsonNode fetchOne(String token) {
        Harness.Response r = Harness.call("POST", url + "/api/v1/work/fetch", token, "{\"max\":1,\"waitMs\":5000}");
        assertThat(r.json().get("tasks")).as(r.body()).hasSize(1);
        return r.json().get("tasks").get(0);
    }

    /** Runs a Mandelbrot task as a worker would, reports it, and returns its rows [from, to). */
    private static int[] runAndReport(String token, JsonNode task) throws Exception {
        byte[] input = Base64.getDecoder().decode(task.get("input").asText());
        byte[] output = AppRegistry.builtIns().get("mandelbrot").run(input, RunContext.inMemory());
        Harness.Response r = Harness.call("POST", url + "/api/v1/work/report", token, "{\"results\":[{\"id\":\""
                + task.get("id").asText() + "\",\"output\":\"" + Base64.getEncoder().encodeToString(output) + "\"}]}");
        assertThat(r.json().get("accepted")).as(r.body()).hasSize(1);
        JsonNode unit = Json.MAPPER.readTree(input);
        return new int[]{unit.get("rowFrom").asInt(), unit.get("rowTo").asInt()};
    }

    private String cell(String row, String role) {
        return page.driver().findElement(By.cssSelector(row + " [data-role='" + role + "']")).getText();
    }

    private static double throughput(String text) {
        return text.matches("\\d[\\d,]*\\.\\d") ? Double.parseDouble(text.replace(",", "")) : -1;
    }

    private static String submit(String spec) {
        Harness.Response r = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY, spec);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    /** This peer's entry of {@code GET /api/v1/cluster}. */
    private static JsonNode localPeer() {
        for (JsonNode p : Harness.call("GET", url + "/api/v1/cluster", null, null).json().get("peers")) {
            if (p.get("local").asBoolean()) {
                return p;
            }
        }
        throw new AssertionError("no local peer in /api/v1/cluster");
    }

    private static JsonNode job(String id) {
        return Harness.call("GET", url + "/api/v1/jobs/" + id, null, null).json();
    }

    private static int jobCount() {
        return Harness.call("GET", url + "/api/v1/jobs", null, null).json().get("jobs").size();
    }

    private static JsonNode workerFromApi(String id) {
        for (JsonNode w : Harness.call("GET", url + "/api/v1/workers", null, null).json().get("workers")) {
            if (w.get("id").asText().equals(id)) {
                return w;
            }
        }
        throw new AssertionError("worker " + id + " is not in GET /api/v1/workers");
    }
}
