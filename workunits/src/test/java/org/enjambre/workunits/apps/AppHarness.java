package org.enjambre.workunits.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs a job the way the platform does: split, run every unit, check it, merge in index order. */
final class AppHarness {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AppHarness() {
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Validates, runs all {@code workUnits} units and merges them. */
    static MergedResult runJob(App app, String input, int workUnits) throws Exception {
        JsonNode in = json(input);
        app.validate(in, workUnits);
        Merger merger = app.merger(in, workUnits);
        for (int i = 0; i < workUnits; i++) {
            byte[] output = app.run(app.unitInput(in, workUnits, i), RunContext.inMemory());
            assertThat(app.wellFormed(output)).as("unit %d output is well-formed", i).isTrue();
            merger.accept(i, output);
        }
        return merger.finish();
    }

    /** Runs one unit input alone. */
    static byte[] runUnit(App app, String input) throws Exception {
        JsonNode in = json(input);
        app.validate(in, 1);
        return app.run(app.unitInput(in, 1, 0), RunContext.inMemory());
    }

    /**
     * Runs a unit uninterrupted, then again cancelled after {@code checkpoints} checkpoints and resumed
     * with the same context; asserts the resumed run picked up where it stopped (no checkpoint was
     * repeated) and returned exactly the uninterrupted output, which it returns.
     */
    static byte[] assertResumesExactly(App app, byte[] unitInput, int checkpoints) throws Exception {
        RunContext.InMemory straight = RunContext.inMemory();
        byte[] expected = app.run(unitInput, straight);
        assertThat(straight.checkpoints()).as("checkpoints of an uninterrupted run").isGreaterThan(checkpoints);

        RunContext.InMemory context = RunContext.inMemory().cancelAfterCheckpoints(checkpoints);
        try {
            app.run(unitInput, context);
            throw new AssertionError("the unit finished without being cancelled");
        } catch (RunContext.CancelledException e) {
            assertThat(context.checkpoints()).isEqualTo(checkpoints);
            assertThat(context.progress()).isGreaterThan(0.0).isLessThan(1.0);
        }
        byte[] resumed = app.run(unitInput, context.resume());
        assertThat(context.progress()).isEqualTo(1.0);
        assertThat(context.checkpoints()).as("checkpoints in all, resumed").isEqualTo(straight.checkpoints());
        assertThat(resumed).isEqualTo(expected);
        return resumed;
    }
}
