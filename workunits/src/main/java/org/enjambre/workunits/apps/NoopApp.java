package org.enjambre.workunits.apps;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.spec.JobSpecParser;
import org.enjambre.workunits.spec.SpecException;

import java.nio.charset.StandardCharsets;

/**
 * Does nothing, fast: each unit returns its input, the job's result counts the units. For
 * benchmarks of the platform itself. Unit {@code i}'s input is the job's input followed by {@code #i}
 * when the input is a string, else the decimal index, so replicas of different units differ.
 *
 * <p>The whole string in every unit is deliberate: it is the benchmark's knob for the bytes a task
 * carries. It is bounded by {@link JobSpecParser#MAX_UNIT_INPUT_BYTES}; the scheduler caps a fetch
 * answer by bytes, so many such tasks never make one huge answer.
 */
public final class NoopApp implements App {
    @Override
    public String name() {
        return "noop";
    }

    @Override
    public void validate(JsonNode input, int workUnits) throws SpecException {
        // anything goes, up to the size of a unit's input
        if (input.isTextual()) {
            int bytes = input.textValue().getBytes(StandardCharsets.UTF_8).length + 1 + Integer.toString(workUnits - 1).length();
            if (bytes > JobSpecParser.MAX_UNIT_INPUT_BYTES) {
                throw new SpecException("input", "input makes each unit's input " + bytes + " bytes (every unit carries "
                        + "the whole string), more than the limit of " + JobSpecParser.MAX_UNIT_INPUT_BYTES + " bytes per unit");
            }
        }
    }

    @Override
    public int defaultWorkUnits(JsonNode input) {
        return 1;
    }

    @Override
    public byte[] unitInput(JsonNode input, int workUnits, int index) {
        String text = input.isTextual() ? input.textValue() + "#" + index : Integer.toString(index);
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public double cost(JsonNode input, int workUnits, int index) {
        return 0.0001;
    }

    @Override
    public byte[] run(byte[] unitInput, RunContext context) {
        return unitInput;
    }

    @Override
    public Merger merger(JsonNode input, int workUnits) {
        return new Merger() {
            private int count;

            @Override
            public void accept(int index, byte[] output) {
                count++;
            }

            @Override
            public MergedResult finish() {
                return MergedResult.json("{\"workUnits\":" + count + "}");
            }

            @Override
            public boolean readsOutputs() {
                return false; // it counts them
            }
        };
    }
}
