package org.enjambre.workunits.apps;

import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.spec.JobSpec;
import org.enjambre.workunits.spec.JobSpecParser;
import org.enjambre.workunits.spec.SpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.enjambre.workunits.apps.AppHarness.text;

/** The built-in apps seen through the job spec parser, as the REST API uses them. */
class BuiltInAppsSpecTest {
    private final AppRegistry apps = AppRegistry.builtIns();
    private final JobSpecParser parser = new JobSpecParser(apps);

    @Test
    void registry_knowsTheSixBuiltIns() {
        assertThat(apps.names()).containsExactly("primes", "collatz", "mandelbrot", "noop", "wordcount", "checksum");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":10000000}}|10",
            "{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":10000000},\"workUnits\":100}|100",
            "{\"app\":\"primes\",\"input\":{\"from\":0,\"to\":5}}|1",
            "{\"app\":\"collatz\",\"input\":{\"from\":1,\"to\":1000000}}|10",
            "{\"app\":\"mandelbrot\",\"input\":{\"width\":800,\"height\":600,\"xMin\":-2.5,\"xMax\":1,\"yMin\":-1,\"yMax\":1,\"maxIterations\":1000}}|5",
            "{\"app\":\"noop\",\"input\":{},\"workUnits\":50}|50",
    })
    void parse_givesTheAppsDefaultUnitCount(String json, int units) throws Exception {
        assertThat(parser.parse(json).workUnits()).isEqualTo(units);
    }

    @Test
    void parse_thenRunEveryUnit_givesTheKnownAnswer() throws Exception {
        JobSpec spec = parser.parse("{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":10000000}}");
        App app = apps.get(spec.app());
        Merger merger = app.merger(spec.input(), spec.workUnits());
        for (int i = 0; i < spec.workUnits(); i++) {
            merger.accept(i, app.run(app.unitInput(spec.input(), spec.workUnits(), i), RunContext.inMemory()));
        }
        assertThat(text(merger.finish().body())).isEqualTo("{\"count\":664579}");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"app\":\"primes\",\"input\":{\"from\":10,\"to\":3}}|input.to|input.to must be greater than input.from",
            "{\"app\":\"primes\",\"input\":{\"from\":0,\"to\":10},\"workUnits\":11}|workUnits|workUnits (11) must not exceed the number of integers from input.from to input.to (10)",
            "{\"app\":\"collatz\",\"input\":{\"from\":0,\"to\":10}}|input.from|input.from (0) must be at least 1",
            "{\"app\":\"mandelbrot\",\"input\":{\"width\":8,\"height\":4,\"xMin\":1,\"xMax\":0,\"yMin\":0,\"yMax\":1,\"maxIterations\":9}}|input.xMax|input.xMax must be greater than input.xMin",
            "{\"app\":\"mandelbrot\",\"input\":{\"width\":8,\"height\":4,\"xMin\":0,\"xMax\":1,\"yMin\":0,\"yMax\":1,\"maxIterations\":9},\"workUnits\":5}|workUnits|workUnits (5) must not exceed input.height (4)",
    })
    void parse_reportsTheAppsRuleWithItsField(String json, String field, String message) {
        assertThatThrownBy(() -> parser.parse(json))
                .isInstanceOf(SpecException.class)
                .hasMessage(message)
                .extracting(e -> ((SpecException) e).field()).isEqualTo(field);
    }
}
