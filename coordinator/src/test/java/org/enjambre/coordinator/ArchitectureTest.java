package org.enjambre.coordinator;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.enjambre.coordinator.jobs.Assimilator;
import org.enjambre.coordinator.jobs.JobViews;
import org.junit.jupiter.api.Test;

import java.util.Set;

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

    /**
     * What the whole-swarm simulation runs over in-memory ports (docs/simulation.md) must not reach for Hazelcast
     * itself: the scheduling daemons and their peer answers, the spot-checks, the assimilator and the job views it
     * reads. Exempt: the index (a Hazelcast entry listener, fed by {@code MemUnitTable} in the simulation) and the
     * ports {@code Checks} and {@code PendingChecks}, whose {@code of(IMap)} factories are their production side.
     */
    @Test
    void simulatedComponents_dependOnNoHazelcastType() {
        Set<String> bound = Set.of("LocalIndex", "Checks", "PendingChecks");
        DescribedPredicate<JavaClass> simulated = DescribedPredicate.describe("run by the simulation", c -> {
            JavaClass top = c;
            while (top.getEnclosingClass().isPresent()) {
                top = top.getEnclosingClass().get();
            }
            return top.getPackageName().startsWith(ROOT + ".sched") ? !bound.contains(top.getSimpleName())
                    : top.isEquivalentTo(Assimilator.class) || top.isEquivalentTo(JobViews.class);
        });
        ArchRule rule = noClasses().that(simulated).should().dependOnClassesThat().resideInAPackage("com.hazelcast..")
                .because("the whole-swarm simulation runs these classes over in-memory ports; a Hazelcast type here is a "
                        + "behaviour the simulation cannot run (put it behind a port: cluster/UnitTable, jobs/JobTable, "
                        + "cluster/PeerTransport)");
        rule.check(PRODUCTION);
        org.assertj.core.api.Assertions.assertThat(PRODUCTION.stream().filter(simulated)).as("the rule is not vacuous")
                .extracting(JavaClass::getSimpleName).contains("Issuer", "ReportHandler", "SpotChecks", "PeerAnswers", "Assimilator", "JobViews");
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
