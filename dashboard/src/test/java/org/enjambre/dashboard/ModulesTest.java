package org.enjambre.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The ES modules link: every import names a dashboard file by a relative path, every imported name
 * is exported there, and the entry points (app.js, the volunteer page and its Web Worker) reach every module. A broken link stops the whole page in the
 * browser, so it is worth catching without one.
 */
class ModulesTest {
    private static final Pattern IMPORT = Pattern.compile(
            "(?m)^\\s*import\\s+(?:\\{([^}]*)\\}|\\*\\s+as\\s+\\w+|\\w+)?\\s*(?:from\\s*)?['\"]([^'\"]+)['\"]\\s*;");
    private static final Pattern EXPORT_DECLARATION = Pattern.compile(
            "(?m)^export\\s+(?:async\\s+)?(?:function\\*?|const|let|var|class)\\s+([A-Za-z_$][\\w$]*)");
    private static final Pattern EXPORT_LIST = Pattern.compile("(?m)^export\\s*\\{([^}]*)\\}");

    record Import(String from, String specifier, String target, List<String> names) {
    }

    static List<String> scripts() {
        return Dashboard.assets().stream().filter(a -> a.endsWith(".js")).toList();
    }

    static List<Import> imports(String script) {
        Matcher m = IMPORT.matcher(Assets.text(script));
        List<Import> found = new java.util.ArrayList<>();
        while (m.find()) {
            List<String> names = m.group(1) == null ? List.of()
                    : Pattern.compile(",").splitAsStream(m.group(1))
                            .map(String::trim).filter(s -> !s.isEmpty())
                            .map(s -> s.split("\\s+as\\s+")[0].trim())
                            .toList();
            String target = URI.create("x:/" + script).resolve(m.group(2)).getPath().substring(1);
            found.add(new Import(script, m.group(2), target, names));
        }
        return found;
    }

    static Set<String> exports(String script) {
        String text = Assets.text(script);
        Set<String> names = new LinkedHashSet<>();
        Matcher d = EXPORT_DECLARATION.matcher(text);
        while (d.find()) {
            names.add(d.group(1));
        }
        Matcher l = EXPORT_LIST.matcher(text);
        while (l.find()) {
            for (String part : l.group(1).split(",")) {
                String[] asParts = part.trim().split("\\s+as\\s+");
                names.add(asParts[asParts.length - 1].trim());
            }
        }
        return names;
    }

    @Test
    void imports_useRelativePathsToDashboardFiles() {
        for (String script : scripts()) {
            for (Import i : imports(script)) {
                assertThat(i.specifier()).as("%s imports %s", script, i.specifier()).matches("\\.{1,2}/.*\\.js");
                assertThat(Dashboard.assets()).as("%s imports %s", script, i.specifier()).contains(i.target());
            }
        }
    }

    @Test
    void importedNames_areExportedByTheirModule() {
        for (String script : scripts()) {
            for (Import i : imports(script)) {
                assertThat(exports(i.target())).as("names %s imports from %s", script, i.target())
                        .containsAll(i.names());
            }
        }
    }

    /**
     * The scripts a page or a Web Worker loads directly: the dashboard's app.js, the volunteer page's
     * volunteer.js, and runner.js, which volunteer.js starts as a module Web Worker.
     */
    private static final List<String> ENTRY_POINTS = List.of("app.js", "volunteer/volunteer.js", "volunteer/runner.js");

    @Test
    void entryPoints_reachEveryModule() {
        Set<String> reached = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(ENTRY_POINTS);
        while (!todo.isEmpty()) {
            String script = todo.pop();
            if (reached.add(script)) {
                imports(script).forEach(i -> todo.push(i.target()));
            }
        }
        assertThat(reached).containsExactlyInAnyOrderElementsOf(scripts());
    }

    @Test
    void indexHtml_loadsAppJsAsAModule() {
        assertThat(Assets.text(Dashboard.INDEX)).contains("<script type=\"module\" src=\"app.js\"></script>");
    }

    @Test
    void volunteerPage_loadsItsScriptAsAModule_andStartsRunnerJsAsAModuleWorker() {
        assertThat(Assets.text(Dashboard.VOLUNTEER)).contains("<script type=\"module\" src=\"volunteer.js\"></script>");
        assertThat(Assets.text("volunteer/volunteer.js"))
                .contains("new Worker(new URL('./runner.js', import.meta.url), {type: 'module'})");
    }

    @Test
    void importParser_readsNamedNamespaceAndRenamedImports() {
        List<Import> found = imports("views/job-card.js");
        assertThat(found).extracting(Import::target)
                .contains("dom.js", "format.js", "api.js", "store.js", "media.js", "admin.js");
        assertThat(found).filteredOn(i -> i.target().equals("dom.js")).singleElement()
                .satisfies(i -> assertThat(i.names()).contains("h", "setText"));
        assertThat(exports("dom.js")).contains("h", "s", "setText", "setAttr", "reconcile");
    }
}
