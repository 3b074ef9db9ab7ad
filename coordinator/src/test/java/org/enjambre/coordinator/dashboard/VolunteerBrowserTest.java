package org.enjambre.coordinator.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.Harness;
import org.enjambre.coordinator.TestWorker;
import org.enjambre.coordinator.store.Json;
import org.enjambre.dashboard.Dashboard;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.apps.CollatzApp;
import org.enjambre.workunits.apps.MandelbrotApp;
import org.enjambre.workunits.apps.PrimesApp;
import org.enjambre.workunits.wasm.BuiltInModules;
import org.enjambre.workunits.wasm.WasmException;
import org.enjambre.workunits.wasm.WasmLimits;
import org.enjambre.workunits.wasm.WasmModules;
import org.enjambre.workunits.wasm.WasmRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WindowType;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The volunteer page (issue 18) in real headless Chromium: the tab registers as a "browser" worker and
 * computes units in Web Workers with the built-in WebAssembly modules, while the other replica of every
 * unit runs on a JVM worker. The browser and the JVM worker are the only workers and every job has two
 * replicas and a quorum of two, so every unit needs both, and reaches quorum only when their bytes agree.
 */
class VolunteerBrowserTest {
    private static final Duration JOB_TIME = Duration.ofSeconds(300);

    @TempDir
    static Path dir;
    static Coordinator coordinator;
    static Chromium browser;
    static String url;
    static String browserWorker;

    @BeforeAll
    static void start() {
        // No oversize wait: the tab's history from earlier tests (a slow machine teaches a low speed) must not keep
        // the large units of later tests from it for 2 minutes; VisitSizingTest tests the wait.
        coordinator = Coordinator.start(Harness.options(dir).oversizeWaitMillis(0));
        url = coordinator.url();
        browser = Chromium.start();
        browser.driver().get(url + "/volunteer/");
        browser.driver().findElement(By.id("start")).click();
        browser.waiting(Duration.ofSeconds(20)).until(d -> !js("return document.getElementById('worker-id').textContent")
                .toString().startsWith("not"));
        browserWorker = js("return document.getElementById('worker-id').textContent").toString();
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

    private static Object js(String script) {
        return ((JavascriptExecutor) browser.driver()).executeScript(script);
    }

    private static String submit(String spec) {
        Harness.Response r = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY, spec);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private static JsonNode get(String path) {
        return Harness.call("GET", url + path, Harness.KEY, null).json();
    }

    private static byte[] bytes(String path) throws Exception {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + path))
                .header("Authorization", "Bearer " + Harness.KEY).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** Runs the job with a JVM worker beside the tab; asserts every unit is VALID on both; returns the result. */
    private static byte[] runWithJvmWorker(String id, TestWorker jvm) throws Exception {
        try (jvm) {
            await().atMost(JOB_TIME).until(() -> "COMPLETED".equals(get("/api/v1/jobs/" + id).get("state").asText()));
        }
        JsonNode units = get("/api/v1/jobs/" + id + "/units?from=0&limit=1000").get("units");
        assertThat(units).isNotEmpty();
        for (JsonNode unit : units) {
            List<String> validOn = new ArrayList<>();
            unit.get("replicas").forEach(r -> {
                if ("VALID".equals(r.path("validate").asText())) {
                    validOn.add(r.get("worker").asText());
                }
            });
            assertThat(validOn).as("unit %s: VALID on the tab and on the JVM worker", unit.get("index"))
                    .containsExactlyInAnyOrder(browserWorker, jvm.id);
        }
        return bytes("/api/v1/jobs/" + id + "/result");
    }

    @Test
    void primesJob_tabAndJvmWorkerAgreeOnEveryUnit_andTheCountIsRight() throws Exception {
        int doneBefore = Integer.parseInt(browser.driver().findElement(By.tagName("body")).getDomAttribute("data-tasks-done"));
        String id = submit("{\"name\":\"primes to a million\",\"app\":\"primes\",\"input\":{\"from\":2,\"to\":1000000},"
                + "\"workUnits\":8,\"redundancy\":{\"replicas\":2,\"quorum\":2}}");
        byte[] result = runWithJvmWorker(id, new TestWorker(url, "jvm-primes", TestWorker.Behaviour.HONEST));

        assertThat(new String(result, StandardCharsets.UTF_8)).isEqualTo("{\"count\":78498}");
        browser.waiting(Duration.ofSeconds(10)).until(d -> Integer.parseInt(
                d.findElement(By.tagName("body")).getDomAttribute("data-tasks-done")) >= doneBefore + 8);
        browser.waiting(Duration.ofSeconds(10)).until(d -> !"0".equals(d.findElement(By.id("credit")).getText()));
        JsonNode me = worker(browserWorker);
        assertThat(me.get("platform").asText()).isEqualTo("browser");
        assertThat(me.get("apps")).extracting(JsonNode::asText)
                .containsExactly("primes", "collatz", "mandelbrot", "wasm");
        assertThat(me.get("errors").asLong()).isZero();
    }

    @Test
    void wasmAppJob_tabAndJvmWorkerAgree_onAProjectModule() throws Exception {
        byte[] module = BuiltInModules.all().get("collatz").bytes();   // a project may upload any module
        Harness.Response up = Harness.callBytes("POST", url + "/api/v1/modules", Harness.KEY, module);
        assertThat(up.status()).as(up.body()).isEqualTo(201);
        String sha = up.json().get("sha256").asText();
        String[] inputs = {"{\"from\":1,\"to\":100000}", "{\"from\":100000,\"to\":250000}", "{\"from\":250000,\"to\":260000}",
                "{\"from\":8528817400,\"to\":8528817600}"};
        String id = submit("{\"name\":\"own module\",\"app\":\"wasm\",\"input\":{\"module\":\"" + sha + "\",\"inputs\":["
                + String.join(",", inputs) + "]},\"redundancy\":{\"replicas\":2,\"quorum\":2}}");
        byte[] result = runWithJvmWorker(id, TestWorker.withWasm(url, "jvm-wasm"));

        StringBuilder expected = new StringBuilder();
        for (String input : inputs) {
            expected.append(new String(new CollatzApp().run(input.getBytes(StandardCharsets.UTF_8), RunContext.inMemory()),
                    StandardCharsets.UTF_8));
        }
        assertThat(new String(result, StandardCharsets.UTF_8)).isEqualTo(expected.toString());
    }

    @Test
    void mandelbrotJob_fromTabAndJvmWorker_isTheSamePngAsAJvmOnlyRun() throws Exception {
        String input = "{\"width\":240,\"height\":160,\"xMin\":-2.2,\"xMax\":0.8,\"yMin\":-1.0,\"yMax\":1.0,\"maxIterations\":500}";
        int units = 6;
        String id = submit("{\"name\":\"set\",\"app\":\"mandelbrot\",\"input\":" + input + ",\"workUnits\":" + units
                + ",\"redundancy\":{\"replicas\":2,\"quorum\":2}}");
        byte[] png = runWithJvmWorker(id, new TestWorker(url, "jvm-mandelbrot", TestWorker.Behaviour.HONEST));

        MandelbrotApp app = new MandelbrotApp();
        JsonNode in = Json.MAPPER.readTree(input);
        Merger jvmOnly = app.merger(in, units);
        for (int i = 0; i < units; i++) {
            jvmOnly.accept(i, app.run(app.unitInput(in, units, i), RunContext.inMemory()));
        }
        assertThat(png).isEqualTo(jvmOnly.finish().body());
    }

    @Test
    void page_isServedWithAPolicyThatAllowsWebAssemblyAndNothingFromElsewhere() throws Exception {
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/volunteer/runner.js"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.headers().firstValue("Content-Security-Policy")).contains(Dashboard.VOLUNTEER_CONTENT_SECURITY_POLICY);
        assertThat(Dashboard.VOLUNTEER_CONTENT_SECURITY_POLICY).contains("script-src 'self' 'wasm-unsafe-eval';")
                .contains("default-src 'self'").contains("connect-src 'self'").doesNotContain("unsafe-inline")
                .doesNotContain("'unsafe-eval'");
        HttpResponse<String> dashboard = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(dashboard.headers().firstValue("Content-Security-Policy")).contains(Dashboard.CONTENT_SECURITY_POLICY);
    }

    @Test
    void builtInModules_areListed_andServedAsBlobsByTheirHash() throws Exception {
        JsonNode modules = get("/api/v1/modules/builtin").get("modules");
        assertThat(modules).extracting(m -> m.get("app").asText()).containsExactly("primes", "collatz", "mandelbrot");
        for (JsonNode m : modules) {
            BuiltInModules.Module expected = BuiltInModules.all().get(m.get("app").asText());
            assertThat(m.get("sha256").asText()).isEqualTo(expected.sha256());
            assertThat(bytes("/api/v1/blobs/" + expected.sha256())).isEqualTo(expected.bytes());
        }
    }

    @Test
    void hiddenTab_stopsComputing_andGoesOnWhenVisibleAgain() {
        js("Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});"
                + "document.dispatchEvent(new Event('visibilitychange'));");
        browser.waiting(Duration.ofSeconds(5)).until(d -> "paused".equals(
                d.findElement(By.tagName("body")).getDomAttribute("data-state")));
        assertThat(browser.driver().findElement(By.id("running")).getText()).isEqualTo("0");
        assertThat(browser.driver().findElement(By.id("status")).getText()).isEqualTo("Paused while this tab is hidden.");
        js("delete document.visibilityState; document.dispatchEvent(new Event('visibilitychange'));");
        browser.waiting(Duration.ofSeconds(5)).until(d -> "computing".equals(
                d.findElement(By.tagName("body")).getDomAttribute("data-state")));
    }

    @Test
    void dashboard_showsTheTabAsABrowserWorker() {
        String volunteer = browser.driver().getWindowHandle();
        browser.driver().switchTo().newWindow(WindowType.TAB);
        try {
            browser.driver().get(url + "/#/workers");
            browser.waiting(Duration.ofSeconds(10)).until(d -> "browser".equals(d.findElement(By.cssSelector(
                    "#worker-rows [data-worker-id='" + browserWorker + "'] [data-role=platform] .badge")).getText()));
            browser.waiting(Duration.ofSeconds(10)).until(d -> d.findElement(By.id("workers-summary")).getText()
                    .contains("1 in browser tabs"));
            // Its badge says what its units are sized for (a new tab: the browsers' visits, 5 minutes before any).
            assertThat(browser.driver().findElement(By.cssSelector("#worker-rows [data-worker-id='" + browserWorker
                    + "'] [data-role=platform] .badge")).getDomAttribute("title")).contains("units sized for a visit of");
        } finally {
            browser.driver().close();
            browser.driver().switchTo().window(volunteer);
        }
        browser.waiting(Duration.ofSeconds(5)).until(d -> "computing".equals(
                d.findElement(By.tagName("body")).getDomAttribute("data-state")));
    }

    @Test
    void tabClosedMidUnit_andOpenedAgain_resumesFromItsCheckpoint_andTheUnitReachesQuorum() throws Exception {
        browser.driver().get(url + "/volunteer/?checkpointSeconds=1");
        browser.driver().findElement(By.id("start")).click();
        String range = "{\"from\":1000000000,\"to\":1060000000}";   // many checkpoint intervals of work for either worker
        String id = submit("{\"name\":\"long chains\",\"app\":\"collatz\",\"input\":" + range + ",\"workUnits\":1,"
                + "\"deadlineSeconds\":600,\"redundancy\":{\"replicas\":2,\"quorum\":2}}");
        browser.waiting(Duration.ofSeconds(30)).withMessage(() -> pageState() + "; units: "
                        + get("/api/v1/jobs/" + id + "/units").get("units"))
                .until(d -> "1".equals(d.findElement(By.id("running")).getText()));
        browser.driver().manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(60)).until(() -> Boolean.TRUE.equals(browser.driver().executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                const open = indexedDB.open('enjambre-volunteer');
                open.onsuccess = () => {
                  if (!open.result.objectStoreNames.contains('tasks')) return done(false);
                  const request = open.result.transaction('tasks').objectStore('tasks').getAll();
                  request.onsuccess = () => done(request.result.some(r => r.task.id.startsWith(arguments[0] + '/')
                      && r.checkpoint !== null));
                };
                open.onerror = () => done(false);
                """, id)));

        browser.driver().navigate().refresh();   // the tab goes away mid-unit (its tasks are released) and comes back
        browser.driver().findElement(By.id("start")).click();
        browser.waiting(Duration.ofSeconds(20)).until(d -> "1".equals(
                d.findElement(By.tagName("body")).getDomAttribute("data-resumed")));
        byte[] result = runWithJvmWorker(id, new TestWorker(url, "jvm-resume", TestWorker.Behaviour.HONEST));

        assertThat(result).isEqualTo(new CollatzApp().run(range.getBytes(StandardCharsets.UTF_8), RunContext.inMemory()));
        assertThat(worker(browserWorker).get("errors").asLong()).as("closing the tab cost nothing").isZero();
    }

    /** Runs one unit in a fresh Web Worker of the page (runner.js), as the page does: {output (base64)} or {error}. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> runInTab(byte[] module, String input, long capBytes) {
        browser.driver().manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        return (Map<String, Object>) browser.driver().executeAsyncScript("""
                const [moduleB64, input, capBytes, done] = arguments;
                const module = Uint8Array.from(atob(moduleB64), c => c.charCodeAt(0));
                const worker = new Worker(new URL('runner.js', location.href), {type: 'module'});
                worker.onmessage = ({data}) => {
                  if (data.type === 'done') done({output: btoa(String.fromCharCode(...new Uint8Array(data.output)))});
                  else if (data.type === 'error') done({error: data.message});
                  if (data.type !== 'progress' && data.type !== 'checkpoint') worker.terminate();
                };
                worker.postMessage({module, input: new TextEncoder().encode(input), checkpoint: null, capBytes,
                                    checkpointEveryMs: 1e9});
                """, Base64.getEncoder().encodeToString(module), input, capBytes);
    }

    @Test
    void sandbox_inTheTab_capsMemoryAndRefusesImports_asTheJvmSandboxDoes() throws Exception {
        byte[] primes = BuiltInModules.all().get("primes").bytes();
        String big = "{\"from\":9999999000000,\"to\":10000000000000}";   // its sieve needs about 4 MiB
        assertThat(runInTab(primes, big, 256L << 20)).containsEntry("output", Base64.getEncoder().encodeToString(
                new PrimesApp().run(big.getBytes(StandardCharsets.UTF_8), RunContext.inMemory())));

        assertThat(runInTab(primes, big, 1L << 20)).containsEntry("error", "module trapped: unreachable");
        WasmRunner capped = new WasmRunner(WasmLimits.defaults().withMaxMemoryBytes(1L << 20));
        assertThatThrownBy(() -> capped.run(primes, big.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(WasmException.class).hasMessageContaining("module trapped: unreachable");

        // (module (type (func)) (import "env" "f" (func (type 0))))
        byte[] importsEnv = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 2, 9, 1, 3, 'e', 'n', 'v', 1, 'f', 0, 0};
        assertThat(runInTab(importsEnv, "", 1L << 20)).containsEntry("error", "module imports env.f which is not allowed "
                + "(allowed: enjambre.progress, enjambre.checkpoint_due, enjambre.checkpoint, enjambre.restore)");
        assertThatThrownBy(() -> WasmModules.validate(importsEnv)).isInstanceOf(WasmException.class)
                .hasMessageContaining("module imports env.f which is not allowed");
    }

    @Test
    void secondTabOfTheSameBrowser_doesNotComputeBesideTheFirst() {
        String first = browser.driver().getWindowHandle();
        browser.driver().switchTo().newWindow(WindowType.TAB);
        try {
            browser.driver().get(url + "/volunteer/");
            browser.driver().findElement(By.id("start")).click();
            browser.waiting(Duration.ofSeconds(10)).until(d -> d.findElement(By.id("status")).getText()
                    .equals("This browser already volunteers in another tab; it computes there."));
            assertThat(browser.driver().findElement(By.tagName("body")).getDomAttribute("data-state")).isEqualTo("stopped");
        } finally {
            browser.driver().close();
            browser.driver().switchTo().window(first);
        }
        browser.waiting(Duration.ofSeconds(5)).until(d -> "computing".equals(
                d.findElement(By.tagName("body")).getDomAttribute("data-state")));
    }

    @Test
    void onBattery_theTabPauses_untilTheComputerIsCharging() {
        @SuppressWarnings("unchecked")
        Map<String, Object> script = (Map<String, Object>) (Map<?, ?>) browser.driver().executeCdpCommand(
                "Page.addScriptToEvaluateOnNewDocument", Map.of("source", """
                        const battery = new EventTarget();
                        battery.charging = false;
                        window.fakeBattery = battery;
                        navigator.getBattery = () => Promise.resolve(battery);
                        """));
        try {
            browser.driver().get(url + "/volunteer/");
            browser.driver().findElement(By.id("start")).click();
            browser.waiting(Duration.ofSeconds(10)).until(d -> "paused".equals(
                    d.findElement(By.tagName("body")).getDomAttribute("data-state")));
            assertThat(browser.driver().findElement(By.id("status")).getText())
                    .isEqualTo("Paused while this computer runs on battery.");
            js("window.fakeBattery.charging = true; window.fakeBattery.dispatchEvent(new Event('chargingchange'));");
            browser.waiting(Duration.ofSeconds(10)).until(d -> "computing".equals(
                    d.findElement(By.tagName("body")).getDomAttribute("data-state")));
        } finally {
            browser.driver().executeCdpCommand("Page.removeScriptToEvaluateOnNewDocument",
                    Map.of("identifier", script.get("identifier")));
        }
    }

    /** What the page says, for failure messages. */
    private static String pageState() {
        return "the page says: " + js("return document.getElementById('status').textContent + ' '"
                + " + JSON.stringify(document.body.dataset) + ' running=' + document.getElementById('running').textContent");
    }

    private static JsonNode worker(String id) {
        for (JsonNode w : get("/api/v1/workers").get("workers")) {
            if (w.get("id").asText().equals(id)) {
                return w;
            }
        }
        throw new AssertionError("no worker " + id);
    }
}
