package org.enjambre.worker;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The worker's top-level packages (root included) depend on each other without cycles. */
class ArchitectureTest {
    private static final String ROOT = "org.enjambre.worker";
    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void packages_formNoCycle_rootIncluded() {
        assertThat(PRODUCTION.contain(Worker.class)).as("the import sees the worker").isTrue();
        slices().assignedFrom(new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass c) {
                String pkg = c.getPackageName();
                if (pkg.equals(ROOT)) {
                    return SliceIdentifier.of("(root)");
                }
                if (!pkg.startsWith(ROOT + ".")) {
                    return SliceIdentifier.ignore();
                }
                String rest = pkg.substring(ROOT.length() + 1);
                int dot = rest.indexOf('.');
                return SliceIdentifier.of(dot < 0 ? rest : rest.substring(0, dot));
            }

            @Override
            public String getDescription() {
                return "top-level packages of " + ROOT;
            }
        }).should().beFreeOfCycles().check(PRODUCTION);
    }
}
