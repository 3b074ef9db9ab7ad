package org.enjambre.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Nothing the dashboard loads or links comes from outside the coordinator that serves it. */
class SameOriginTest {
    /** Namespace names are identifiers, never fetched. */
    private static final Set<String> NAMESPACES = Set.of(
            "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xhtml", "http://www.w3.org/1999/xlink");
    private static final Pattern ABSOLUTE = Pattern.compile("(?i)\\b(?:https?|wss?|ftp)://[^\\s\"'`<>)]*");
    private static final Pattern PROTOCOL_RELATIVE = Pattern.compile(
            "(?i)(?:\\b(?:src|href|action|formaction|poster|data|srcset|xlink:href)\\s*=\\s*[\"']?\\s*//"
            + "|url\\(\\s*[\"']?\\s*//"
            + "|@import\\s+[\"']\\s*//"
            + "|\\bfrom\\s+[\"']\\s*//"
            + "|\\bimport\\s*\\(\\s*[\"'`]\\s*//"
            + "|\\b(?:fetch|EventSource|WebSocket|URL|open)\\s*\\(\\s*[\"'`]\\s*//)");
    /** Local references in index.html that are routes of the coordinator, not dashboard files. */
    private static final Set<String> COORDINATOR_ROUTES = Set.of("metrics", "health");
    private static final Pattern HTML_REFERENCE = Pattern.compile("(?i)\\b(?:src|href)\\s*=\\s*\"([^\"]*)\"");
    private static final Pattern CSS_URL = Pattern.compile("(?i)url\\(\\s*[\"']?([^\"')]+)");

    /** Every external reference in a text: absolute URLs other than namespaces, and //host ones. */
    static List<String> externalReferences(String text) {
        List<String> found = new ArrayList<>();
        Matcher absolute = ABSOLUTE.matcher(text);
        while (absolute.find()) {
            if (!NAMESPACES.contains(absolute.group())) {
                found.add(absolute.group());
            }
        }
        Matcher relative = PROTOCOL_RELATIVE.matcher(text);
        while (relative.find()) {
            found.add(relative.group());
        }
        return found;
    }

    @Test
    void everyAsset_referencesOnlyTheSameOrigin() {
        for (String asset : Dashboard.assets()) {
            assertThat(externalReferences(Assets.text(asset))).as(asset).isEmpty();
        }
    }

    @Test
    void externalReferences_findsWhatACdnOrWebFontWouldAdd() {
        assertThat(externalReferences("<script src=\"https://cdn.example.org/chart.js\"></script>"))
                .containsExactly("https://cdn.example.org/chart.js");
        assertThat(externalReferences("<link rel=stylesheet href=//fonts.example.com/css>")).hasSize(1);
        assertThat(externalReferences("@font-face { src: url(//fonts.example.com/a.woff2) }")).hasSize(1);
        assertThat(externalReferences("@import '//example.com/x.css';")).hasSize(1);
        assertThat(externalReferences("import {x} from '//esm.example.com/x.js';")).hasSize(1);
        assertThat(externalReferences("const es = new EventSource('//evil.example/events');")).hasSize(1);
        assertThat(externalReferences("fetch(`wss://example.com/socket`)")).hasSize(1);
    }

    @Test
    void externalReferences_acceptsRelativeUrlsNamespacesAndComments() {
        assertThat(externalReferences("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>")).isEmpty();
        assertThat(externalReferences("fetch('api/v1/jobs'); // a comment, not a URL")).isEmpty();
        assertThat(externalReferences("<a href=\"#/jobs\">Jobs</a><img src=\"favicon.svg\">")).isEmpty();
        assertThat(externalReferences("<a href=\"/metrics\">metrics</a>")).isEmpty();
    }

    @Test
    void indexHtml_localReferences_areAssetsOrCoordinatorRoutes() {
        String html = Assets.withoutComments(Assets.text(Dashboard.INDEX));
        Matcher m = HTML_REFERENCE.matcher(html);
        List<String> references = new ArrayList<>();
        while (m.find()) {
            references.add(m.group(1));
        }
        assertThat(references).contains("style.css", "app.js", "favicon.svg");
        for (String reference : references) {
            if (reference.startsWith("#")) {
                continue; // a route or an in-page anchor
            }
            assertThat(Dashboard.assets().contains(reference) || COORDINATOR_ROUTES.contains(reference))
                    .as("index.html references '%s', which is neither a dashboard file nor a coordinator route",
                            reference)
                    .isTrue();
        }
    }

    @Test
    void volunteerPage_localReferences_areDashboardFiles() {
        Matcher m = HTML_REFERENCE.matcher(Assets.withoutComments(Assets.text(Dashboard.VOLUNTEER)));
        List<String> references = new ArrayList<>();
        while (m.find()) {
            references.add(java.net.URI.create("x:/" + Dashboard.VOLUNTEER).resolve(m.group(1)).getPath().substring(1));
        }
        assertThat(references).contains("style.css", "volunteer/volunteer.css", "volunteer/volunteer.js", "favicon.svg");
        references.stream().filter(r -> !r.isEmpty() && !r.endsWith("/"))
                .forEach(r -> assertThat(Dashboard.assets()).as("the volunteer page references %s", r).contains(r));
    }

    @Test
    void styleSheet_urls_areDashboardFiles() {
        Matcher m = CSS_URL.matcher(Assets.text("style.css"));
        while (m.find()) {
            String url = m.group(1).trim();
            if (!url.startsWith("data:")) {
                assertThat(Dashboard.assets()).as("style.css url(%s)", url).contains(url);
            }
        }
    }
}
