package org.enjambre.coordinator.dashboard;

import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.CoordinatorOptions;
import org.enjambre.coordinator.Harness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The open dashboard rides out a coordinator restart: it notices, reconnects by itself, and shows new data. */
class DashboardReconnectTest {
    @TempDir
    Path dir;
    static Chromium browser;
    Coordinator coordinator;

    @BeforeAll
    static void startBrowser() {
        browser = Chromium.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @AfterEach
    void stopCoordinator() {
        if (coordinator != null) {
            coordinator.close();
        }
    }

    @Test
    void afterACoordinatorRestartOnTheSamePort_thePageReconnectsByItself_andShowsNewData() {
        CoordinatorOptions options = Harness.options(dir).port(Harness.freePort());
        coordinator = Coordinator.start(options);
        String url = coordinator.url();
        DashboardPage page = new DashboardPage(browser, url);
        page.open("jobs");
        String before = submit(url, "before the restart");
        page.awaitCard(before, DashboardPage.SOON);

        coordinator.close();
        page.awaitConnection("reconnecting", DashboardPage.SOON);
        assertThat(page.hasCard(before)).as("what the page knew stays shown while it reconnects").isTrue();

        coordinator = Coordinator.start(options);
        assertThat(coordinator.url()).isEqualTo(url);
        page.awaitConnection("live", Duration.ofSeconds(15));

        String after = submit(url, "after the restart");
        page.awaitCard(after, DashboardPage.SOON);
        Harness.Response cancelled = Harness.call("DELETE", url + "/api/v1/jobs/" + before, Harness.KEY, null);
        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
        page.await(DashboardPage.SOON, d -> "CANCELLED".equals(page.jobState(before)));
        assertThat(page.role(after, "name").getText()).isEqualTo("after the restart");
        page.assertNotReloaded();
    }

    private static String submit(String url, String name) {
        Harness.Response r = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY,
                "{\"name\":\"" + name + "\",\"app\":\"noop\",\"input\":{},\"workUnits\":50}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asText();
    }
}
