package org.enjambre.client;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;

/** The client needs only the JDK and Jackson: never the coordinator, the worker, Vert.x or Hazelcast. */
class ClientArchitectureTest {
    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.enjambre.client");

    @Test
    void clientClasses_dependOnlyOnTheJdkAndJackson() {
        classes().should().onlyDependOnClassesThat().resideInAnyPackage("java..", "com.fasterxml.jackson..", "org.enjambre.client..")
                .check(PRODUCTION);
    }

    @Test
    void theImportSeesTheClient_soTheRuleIsNotVacuous() {
        assertThat(PRODUCTION.contain(EnjambreClient.class)).isTrue();
        assertThat(PRODUCTION.contain(EnjambreClientSwarmTest.class)).isFalse();
    }
}
