package org.enjambre.workunits.spec;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class RedundancyTest {

    @Test
    void default_isTwoAgreeingReplicasThreeErrorsSixResults() {
        assertThat(Redundancy.DEFAULT).isEqualTo(new Redundancy(2, 2, 3, 6, false));
    }

    @Test
    void of_validValues_givesThePolicy() throws SpecException {
        assertThat(Redundancy.of(3, 2, 0, 3, true)).isEqualTo(new Redundancy(3, 2, 0, 3, true));
        assertThat(Redundancy.of(16, 16, 64, 64, false)).isEqualTo(new Redundancy(16, 16, 64, 64, false));
        assertThat(Redundancy.of(1, 1, 0, 1, false)).isEqualTo(new Redundancy(1, 1, 0, 1, false));
    }

    @ParameterizedTest(name = "{0}/{1}/{2}/{3}: {4}")
    @CsvSource(delimiter = '|', value = {
            "0  | 1 | 3  | 6  | redundancy.replicas  | redundancy.replicas (0) must be between 1 and 16",
            "17 | 1 | 3  | 64 | redundancy.replicas  | redundancy.replicas (17) must be between 1 and 16",
            "2  | 0 | 3  | 6  | redundancy.quorum    | redundancy.quorum (0) must be at least 1",
            "2  | 3 | 3  | 6  | redundancy.quorum    | redundancy.quorum (3) must not exceed redundancy.replicas (2)",
            "2  | 2 | -1 | 6  | redundancy.maxErrors | redundancy.maxErrors (-1) must be between 0 and 64",
            "2  | 2 | 65 | 6  | redundancy.maxErrors | redundancy.maxErrors (65) must be between 0 and 64",
            "3  | 2 | 3  | 2  | redundancy.maxResults | redundancy.maxResults (2) must be at least redundancy.replicas (3)",
            "3  | 2 | 3  | 65 | redundancy.maxResults | redundancy.maxResults (65) must be at most 64",
    })
    void of_invalidValue_namesTheFieldAndRule(int replicas, int quorum, int maxErrors, int maxResults, String field, String message) {
        SpecException e = catchThrowableOfType(SpecException.class, () -> Redundancy.of(replicas, quorum, maxErrors, maxResults, false));

        assertThat(e.field()).isEqualTo(field);
        assertThat(e.getMessage()).isEqualTo(message);
    }

    @Test
    void constructor_invalidValues_pointsToTheValidatingFactory() {
        assertThatThrownBy(() -> new Redundancy(2, 3, 3, 6, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid redundancy 2/3/3/6; use Redundancy.of to get a message naming the field");
    }

    @Property
    void of_acceptsExactlyWhatTheConstructorAccepts(@ForAll @IntRange(min = -1, max = 18) int replicas,
                                                    @ForAll @IntRange(min = -1, max = 18) int quorum,
                                                    @ForAll @IntRange(min = -1, max = 66) int maxErrors,
                                                    @ForAll @IntRange(min = -1, max = 66) int maxResults) {
        boolean constructed;
        try {
            new Redundancy(replicas, quorum, maxErrors, maxResults, false);
            constructed = true;
        } catch (IllegalArgumentException e) {
            constructed = false;
        }
        boolean validated;
        try {
            Redundancy.of(replicas, quorum, maxErrors, maxResults, false);
            validated = true;
        } catch (SpecException e) {
            validated = false;
            assertThat(e.field()).startsWith("redundancy.");
            assertThat(e.getMessage()).startsWith(e.field() + " (");
        }
        assertThat(validated).isEqualTo(constructed);
    }
}
