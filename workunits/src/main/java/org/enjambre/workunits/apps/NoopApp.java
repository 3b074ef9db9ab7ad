package org.enjambre.workunits.apps;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.spec.SpecException;

import java.nio.charset.StandardCharsets;

/**
 * Does nothing, fast: each unit returns its input, the job's result counts the units. For
 * benchmarks of the platform itself. Unit {@code i}'s input is the job's input followed by {@code #i}
 * when the input is a string, else the decimal index, so replicas of different units differ.
 */
public final class NoopApp implements App {
    @Override
    public String name() {
        return "noop";
    }

    @Override
    public void validate(JsonNode input, int workUnits) throws SpecException {
        // anything goes
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
        };
    }
}
