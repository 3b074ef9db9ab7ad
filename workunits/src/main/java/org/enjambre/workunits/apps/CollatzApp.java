package org.enjambre.workunits.apps;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.spec.SpecException;

/** PLACEHOLDER: being written. */
public final class CollatzApp implements App {
    @Override public String name() { return "collatz"; }
    @Override public void validate(JsonNode input, int workUnits) throws SpecException { }
    @Override public int defaultWorkUnits(JsonNode input) { return 1; }
    @Override public byte[] unitInput(JsonNode input, int workUnits, int index) { throw new UnsupportedOperationException(); }
    @Override public double cost(JsonNode input, int workUnits, int index) { return 1; }
    @Override public byte[] run(byte[] unitInput, RunContext context) { throw new UnsupportedOperationException(); }
    @Override public Merger merger(JsonNode input, int workUnits) { throw new UnsupportedOperationException(); }
}
