package org.enjambre.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Controls have accessible names, ids are unique, and the hooks README.md promises exist. */
class AccessibilityTest {
    private static final Pattern CONTROL =
            Pattern.compile("(?is)<(button|input|select|textarea)\\b([^>]*)>(?:(.*?)</\\1\\s*>)?");
    private static final Pattern LABEL_FOR = Pattern.compile("(?is)<label\\b[^>]*\\bfor\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern ID = Pattern.compile("(?is)<[a-z][a-z0-9-]*\\b[^>]*\\bid\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern TAG = Pattern.compile("(?s)<[^>]*>");
    private static final Pattern SCRIPT_CONTROL =
            Pattern.compile("\\bh\\('(button|input|select|textarea)',\\s*\\{([^}]*)\\}");

    /** The controls of an HTML text that have no accessible name, as "tag#id" or the tag's source. */
    static List<String> unnamedControls(String html) {
        String page = Assets.withoutComments(html);
        Set<String> labelled = new HashSet<>();
        Matcher labels = LABEL_FOR.matcher(page);
        while (labels.find()) {
            labelled.add(labels.group(1));
        }
        Set<String> ids = ids(page);
        List<String> unnamed = new ArrayList<>();
        Matcher m = CONTROL.matcher(page);
        while (m.find()) {
            String tag = m.group(1).toLowerCase(java.util.Locale.ROOT);
            Map<String, String> attributes = Assets.attributes(m.group(2));
            if (tag.equals("input") && "hidden".equalsIgnoreCase(attributes.get("type"))) {
                continue;
            }
            boolean named = !attributes.getOrDefault("aria-label", "").isBlank()
                    || labelledBy(attributes.get("aria-labelledby"), ids)
                    || (attributes.containsKey("id") && labelled.contains(attributes.get("id")))
                    || (tag.equals("button") && m.group(3) != null
                        && !TAG.matcher(m.group(3)).replaceAll("").isBlank());
            if (!named) {
                unnamed.add(attributes.containsKey("id") ? tag + "#" + attributes.get("id") : m.group());
            }
        }
        return unnamed;
    }

    private static boolean labelledBy(String value, Set<String> ids) {
        return value != null && !value.isBlank() && ids.containsAll(List.of(value.trim().split("\\s+")));
    }

    private static Set<String> ids(String page) {
        Set<String> ids = new HashSet<>();
        Matcher m = ID.matcher(page);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    @Test
    void indexHtml_everyControlHasAnAccessibleName() {
        String html = Assets.text(Dashboard.INDEX);
        assertThat(CONTROL.matcher(html).results().count()).as("controls found").isGreaterThanOrEqualTo(8);
        assertThat(unnamedControls(html)).isEmpty();
    }

    @Test
    void unnamedControls_findsControlsWithoutAName() {
        assertThat(unnamedControls("<input id=\"a\"><button type=\"button\"></button><select id=\"s\"></select>"
                + "<textarea id=\"t\"></textarea><button><span class=\"icon\"></span></button>"))
                .containsExactly("input#a", "<button type=\"button\"></button>", "select#s", "textarea#t",
                        "<button><span class=\"icon\"></span></button>");
        assertThat(unnamedControls("<input aria-labelledby=\"nowhere\">")).hasSize(1);
        assertThat(unnamedControls("<!-- <input id=\"x\"> --><input type=\"hidden\" name=\"h\">")).isEmpty();
    }

    @Test
    void unnamedControls_acceptsLabelsAriaAndText() {
        assertThat(unnamedControls("<label for=\"k\">Key</label><input id=\"k\">"
                + "<input aria-label=\"Search\"><span id=\"l\">Pick</span><select aria-labelledby=\"l\"></select>"
                + "<button type=\"submit\">Submit <b>now</b></button>")).isEmpty();
    }

    @Test
    void scripts_controlsTheyCreateHaveAName() {
        for (String script : ModulesTest.scripts()) {
            Matcher m = SCRIPT_CONTROL.matcher(Assets.text(script));
            while (m.find()) {
                assertThat(m.group(2)).as("%s creates %s", script, m.group())
                        .containsAnyOf("text:", "'aria-label'", "'aria-labelledby'");
            }
        }
    }

    @Test
    void indexHtml_idsAreUnique() {
        String page = Assets.withoutComments(Assets.text(Dashboard.INDEX));
        List<String> all = ID.matcher(page).results().map(r -> r.group(1)).toList();
        assertThat(all).doesNotHaveDuplicates();
    }

    @Test
    void indexHtml_hasTheHooksReadmeDocuments() {
        Set<String> ids = ids(Assets.text(Dashboard.INDEX));
        assertThat(ids).contains("connection", "api-key", "forget-key", "auth-prompt", "job-spec", "spec-example",
                "submit-job", "submit-error", "submit-status", "job-list", "job-filter", "worker-rows",
                "peer-rows", "tps-chart", "unit-rows", "units-prev", "units-next", "credit-list",
                "invalid-rows", "disagree-rows");
        for (String view : List.of("overview", "jobs", "job", "workers", "validation", "credit")) {
            assertThat(Assets.text(Dashboard.INDEX)).contains("data-view=\"" + view + "\"");
        }
    }

    @Test
    void indexHtml_isALanguageTaggedResponsivePage() {
        String html = Assets.text(Dashboard.INDEX);
        assertThat(html).startsWith("<!doctype html>")
                .contains("<html lang=\"en\">")
                .contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .contains("<main id=\"main\"")
                .contains("<nav class=\"nav\" aria-label=\"Views\">");
        assertThat(Pattern.compile("(?s)<section id=\"view-[^\"]+\"[^>]*>\\s*(?:<p[^>]*>.*?</p>\\s*)?<h1")
                .matcher(html).results().count()).as("views that open with an h1").isEqualTo(6);
    }

    @Test
    void styleSheet_keepsFocusVisible() {
        String css = Assets.text("style.css");
        assertThat(css).contains(":focus-visible").contains("@media (max-width: 640px)")
                .contains("prefers-reduced-motion");
        // Only the targets the page focuses by script (headings, main: tabindex=-1) may drop the outline.
        Matcher rule = Pattern.compile("([^{}]+)\\{([^{}]*)}").matcher(css);
        List<String> hidden = new ArrayList<>();
        while (rule.find()) {
            if (rule.group(2).matches("(?s).*outline\\s*:\\s*(?:none|0)\\b.*")) {
                hidden.add(rule.group(1).trim());
            }
        }
        assertThat(hidden).isNotEmpty().allMatch(selector -> selector.equals("h1:focus") || selector.equals("main:focus"));
    }
}
