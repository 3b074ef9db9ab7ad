package org.enjambre.coordinator.dashboard;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test support: one coordinator's dashboard open in a browser, read only through the stable ids and
 * data attributes that dashboard/README.md documents.
 */
final class DashboardPage {
    /** How long "eventually" may take for something the page should show at once. */
    static final Duration SOON = Duration.ofSeconds(5);

    private final Chromium browser;
    private final WebDriver driver;
    private final String url;
    private String loadMarker;

    DashboardPage(Chromium browser, String url) {
        this.browser = browser;
        this.driver = browser.driver();
        this.url = url;
    }

    /**
     * Loads the page afresh at a route ("jobs", "workers", ...) with empty local storage (no API key,
     * a public dashboard), and waits until the event stream is live.
     */
    void open(String route) {
        load(route);
        awaitConnection("live", Duration.ofSeconds(10));
    }

    /** Loads the page afresh at a route with empty local storage, without waiting for anything. */
    void load(String route) {
        driver.get(url + "/health"); // same origin: clear what earlier tests stored
        js("localStorage.clear(); sessionStorage.clear();");
        driver.get(url + "/#/" + route);
        loadMarker = UUID.randomUUID().toString();
        js("window.enjambreLoadMarker = arguments[0]; performance.setResourceTimingBufferSize(100000);", loadMarker);
    }

    /** Switches views through the hash, as a click on the navigation would (no reload). */
    void route(String route) {
        js("location.hash = arguments[0];", "#/" + route);
        String view = route.startsWith("jobs/") ? "job" : route;
        await(SOON, d -> d.findElement(By.cssSelector("[data-view='" + view + "']")).getDomAttribute("hidden") == null);
    }

    /** Fails if the page was loaded again since {@link #open}. */
    void assertNotReloaded() {
        assertThat(js("return window.enjambreLoadMarker;")).as("the page must not have been reloaded").isEqualTo(loadMarker);
    }

    void awaitConnection(String state, Duration atMost) {
        await(atMost, d -> state.equals(d.findElement(By.id("connection")).getDomAttribute("data-state")));
    }

    String connection() {
        return driver.findElement(By.id("connection")).getDomAttribute("data-state");
    }

    // ---- jobs

    static String cardSelector(String jobId) {
        return "#job-list > [data-job-id='" + jobId + "']";
    }

    WebElement card(String jobId) {
        return driver.findElement(By.cssSelector(cardSelector(jobId)));
    }

    boolean hasCard(String jobId) {
        return !driver.findElements(By.cssSelector(cardSelector(jobId))).isEmpty();
    }

    void awaitCard(String jobId, Duration atMost) {
        await(atMost, d -> hasCard(jobId));
    }

    String jobState(String jobId) {
        return card(jobId).getDomAttribute("data-state");
    }

    /** {@code aria-valuenow} of the job's progress bar. */
    int progress(String jobId) {
        return Integer.parseInt(role(jobId, "progress").getDomAttribute("aria-valuenow"));
    }

    WebElement role(String jobId, String role) {
        return card(jobId).findElement(By.cssSelector("[data-role='" + role + "']"));
    }

    WebElement cancelButton(String jobId) {
        return card(jobId).findElement(By.cssSelector("[data-action='cancel']"));
    }

    String units(String jobId, String unitState) {
        return role(jobId, "units").findElement(By.cssSelector("[data-unit-state='" + unitState + "']")).getText();
    }

    /** Starts recording every value the job's progress bar shows, from now on. */
    void recordProgress(String jobId) {
        js("""
                const id = arguments[0];
                const key = 'enjambreProgress';
                window[key] = window[key] || {};
                const seen = window[key][id] = [];
                const read = () => {
                  const bar = document.querySelector(`#job-list > [data-job-id="${id}"] [data-role=progress]`);
                  const v = bar && Number(bar.getAttribute('aria-valuenow'));
                  if (bar && seen[seen.length - 1] !== v) seen.push(v);
                };
                read();
                new MutationObserver(read).observe(document.getElementById('job-list'),
                  {subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow']});
                """, jobId);
    }

    @SuppressWarnings("unchecked")
    List<Long> recordedProgress(String jobId) {
        return (List<Long>) js("return window.enjambreProgress[arguments[0]];", jobId);
    }

    // ---- admin

    /** Types a key into the API key field (replacing what was there). */
    void enterKey(String key) {
        WebElement field = driver.findElement(By.id("api-key"));
        field.clear();
        field.sendKeys(key);
        await(SOON, d -> key.equals(js("return localStorage.getItem('enjambre.apiKey');")));
    }

    // ---- plumbing

    /** Requests the page made for URLs containing {@code part} since the page loaded, as [startTime, name]. */
    @SuppressWarnings("unchecked")
    List<String> requestsSince(double pageTimeMillis, String part) {
        return (List<String>) js("""
                return performance.getEntriesByType('resource')
                  .filter(e => e.startTime >= arguments[0] && e.name.includes(arguments[1]))
                  .map(e => e.name);
                """, pageTimeMillis, part);
    }

    /**
     * Waits until the page's start-up reads of a list (the first load, and the re-read when the stream
     * opened) are over, and returns the page's clock: later requests for it come from something else.
     */
    double afterStartupReads(String part) {
        return await(Duration.ofSeconds(10), d -> {
            Object now = js("""
                    const reads = performance.getEntriesByType('resource').filter(e => e.name.endsWith(arguments[0]));
                    const now = performance.now();
                    const last = reads.length ? reads[reads.length - 1].startTime : now;
                    return reads.length >= 2 || (reads.length === 1 && now - last > 2500) ? now : null;
                    """, part);
            return now == null ? null : ((Number) now).doubleValue();
        });
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    <T> T await(Duration atMost, Function<WebDriver, T> condition) {
        return browser.waiting(atMost).until(condition);
    }

    /** Waits like {@link #await(Duration, Function)}; on time-out the message says what was expected and what is there. */
    <T> T await(Duration atMost, Supplier<String> onTimeout, Function<WebDriver, T> condition) {
        return browser.waiting(atMost).withMessage(onTimeout).until(condition);
    }

    WebDriver driver() {
        return driver;
    }
}
