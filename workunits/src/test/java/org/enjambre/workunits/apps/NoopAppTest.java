package org.enjambre.workunits.apps;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.enjambre.workunits.apps.AppHarness.json;
import static org.enjambre.workunits.apps.AppHarness.runJob;
import static org.enjambre.workunits.apps.AppHarness.text;

class NoopAppTest {
    private final NoopApp app = new NoopApp();

    @Test
    void run_returnsItsInput() throws Exception {
        byte[] unit = app.unitInput(json("{\"anything\":[1,2]}"), 5, 3);
        assertThat(text(unit)).isEqualTo("3");
        assertThat(app.run(unit, RunContext.inMemory())).isEqualTo(unit);
    }

    @Test
    void unitInput_ofAStringInput_isTheStringAndTheIndex() {
        assertThat(text(app.unitInput(json("\"bench\""), 5, 4))).isEqualTo("bench#4");
    }

    @Test
    void job_resultCountsTheUnits() throws Exception {
        assertThat(text(runJob(app, "{\"x\":1}", 12).body())).isEqualTo("{\"workUnits\":12}");
        Merger merger = app.merger(json("1"), 1);
        merger.accept(0, new byte[0]);
        assertThat(merger.finish().contentType()).isEqualTo("application/json");
    }

    @Test
    void validate_acceptsAnything() throws Exception {
        for (JsonNode input : new JsonNode[] {json("{}"), json("\"x\""), json("42"), json("[1,2]")}) {
            app.validate(input, 1000);
        }
        assertThat(app.defaultWorkUnits(json("{}"))).isEqualTo(1);
        assertThat(app.cost(json("{}"), 1, 0)).isPositive();
    }
}
