package org.enjambre.workunits.spec;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;

import java.util.Set;

/** Small apps with known validation rules, so parser tests do not depend on the built-in apps. */
final class TestApps {
    private TestApps() {
    }

    /**
     * {@code {"from": a, "to": b}} with {@code a < b}; at most {@code b - a} units, by default
     * {@code min(b - a, 5)}.
     */
    static final class RangeApp extends Stub {
        RangeApp() {
            super("range");
        }

        @Override
        public void validate(JsonNode input, int workUnits) throws SpecException {
            JobSpecParser.inputFields(input, Set.of("from", "to"));
            long from = JobSpecParser.inputLong(input, "from");
            long to = JobSpecParser.inputLong(input, "to");
            if (to <= from) {
                throw new SpecException("input.to", "input.to (" + to + ") must be greater than input.from (" + from + ")");
            }
            if (workUnits > to - from) {
                throw new SpecException("workUnits", "workUnits (" + workUnits + ") must not exceed input.to - input.from ("
                        + (to - from) + ")");
            }
        }

        @Override
        public int defaultWorkUnits(JsonNode input) {
            return (int) Math.min(input.get("to").longValue() - input.get("from").longValue(), 5);
        }
    }

    /** Accepts any input; its default unit count is whatever it is told. */
    static final class FixedDefaultApp extends Stub {
        private final int defaultWorkUnits;

        FixedDefaultApp(String name, int defaultWorkUnits) {
            super(name);
            this.defaultWorkUnits = defaultWorkUnits;
        }

        @Override
        public void validate(JsonNode input, int workUnits) {
        }

        @Override
        public int defaultWorkUnits(JsonNode input) {
            return defaultWorkUnits;
        }
    }

    private abstract static class Stub implements App {
        private final String name;

        Stub(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public byte[] unitInput(JsonNode input, int workUnits, int index) {
            throw new UnsupportedOperationException();
        }

        @Override
        public double cost(JsonNode input, int workUnits, int index) {
            return 1;
        }

        @Override
        public byte[] run(byte[] unitInput, RunContext context) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Merger merger(JsonNode input, int workUnits) {
            throw new UnsupportedOperationException();
        }
    }
}
