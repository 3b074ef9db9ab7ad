package org.enjambre.coordinator;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The coordinator's package graph (docs/engineering-notes.md, "which class to open"): no package cycles, the root
 * package included (it only wires), and HTTP (Vert.x web and our {@code http} package) used only by {@code http}
 * and the wiring, so domain code is testable without a server.
 */
class ArchitectureTest {
    private static final String ROOT = "org.enjambre.coordinator";
    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void packages_formNoCycle_rootIncluded() {
        ArchRule rule = slices().assignedFrom(topLevelPackages(ROOT)).should().beFreeOfCycles();
        rule.check(PRODUCTION);
    }

    @Test
    void httpTypes_areUsedOnlyByTheHttpPackageAndTheWiring() {
        ArchRule rule = noClasses().that().resideOutsideOfPackages(ROOT + ".http..", ROOT)
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx.core.http..", "io.vertx.ext.web..", ROOT + ".http..")
                .because("domain packages throw domain exceptions (coordinator/errors); http maps them in one place");
        rule.check(PRODUCTION);
    }

    @Test
    void theImportSeesTheCoordinator_soTheRulesAreNotVacuous() {
        org.assertj.core.api.Assertions.assertThat(PRODUCTION.contain(Coordinator.class)).isTrue();
        org.assertj.core.api.Assertions.assertThat(PRODUCTION.contain(org.enjambre.coordinator.http.ApiServer.class)).isTrue();
    }

    /** One slice per package directly under {@code root} (its sub-packages included), and one for {@code root}. */
    static SliceAssignment topLevelPackages(String root) {
        return new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(com.tngtech.archunit.core.domain.JavaClass c) {
                String pkg = c.getPackageName();
                if (pkg.equals(root)) {
                    return SliceIdentifier.of("(root)");
                }
                if (!pkg.startsWith(root + ".")) {
                    return SliceIdentifier.ignore();
                }
                String rest = pkg.substring(root.length() + 1);
                int dot = rest.indexOf('.');
                return SliceIdentifier.of(dot < 0 ? rest : rest.substring(0, dot));
            }

            @Override
            public String getDescription() {
                return "top-level packages of " + root;
            }
        };
    }
}
