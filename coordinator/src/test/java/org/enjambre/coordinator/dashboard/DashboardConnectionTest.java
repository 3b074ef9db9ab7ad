package org.enjambre.coordinator.dashboard;

import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.CoordinatorOptions;
import org.enjambre.coordinator.Harness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's connection to its own coordinator: it rides out a restart by itself, and on a
 * private dashboard it asks for the key and then reads the views and the stream with it.
 */
class DashboardConnectionTest {
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

    @Test
    void privateDashboard_asksForTheKey_refusesAWrongOne_andGoesLiveWithTheRightOne() {
        coordinator = Coordinator.start(Harness.options(dir).privateViews(true));
        String url = coordinator.url();
        String earlier = submit(url, "submitted before the key");
        DashboardPage page = new DashboardPage(browser, url);

        page.load("jobs");
        page.awaitConnection("unauthorized", DashboardPage.SOON);
        WebElement prompt = page.driver().findElement(By.id("auth-prompt"));
        assertThat(prompt.isDisplayed()).isTrue();
        assertThat(page.js("return document.activeElement.id;")).as("focus goes to the key field").isEqualTo("api-key");
        assertThat(page.hasCard(earlier)).isFalse();

        page.enterKey("not-the-key-42");
        page.await(DashboardPage.SOON, () -> "the prompt says the key was refused: " + prompt.getText(),
                d -> prompt.getText().matches("This dashboard is private\\.\\s+The API key (was refused|is wrong)\\."
                        + " Check the key in the field at the top\\."));
        assertThat(page.connection()).isEqualTo("unauthorized");
        assertThat(page.hasCard(earlier)).isFalse();

        page.enterKey(Harness.KEY);
        page.awaitConnection("live", DashboardPage.SOON);
        page.awaitCard(earlier, DashboardPage.SOON);
        assertThat(prompt.isDisplayed()).isFalse();
        String later = submit(url, "pushed to a private dashboard");
        page.awaitCard(later, DashboardPage.SOON); // through the stream read with the key
        assertThat(page.role(later, "name").getText()).isEqualTo("pushed to a private dashboard");
        page.assertNotReloaded();
    }

    private static String submit(String url, String name) {
        Harness.Response r = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY,
                "{\"name\":\"" + name + "\",\"app\":\"noop\",\"input\":{},\"workUnits\":50}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asText();
    }
}
