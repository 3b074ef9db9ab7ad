package org.enjambre.worker.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;

/** A test app whose {@link #run} is a lambda. */
public final class LambdaApp implements App {
    /** The body of {@link App#run}. */
    @FunctionalInterface
    public interface Body {
        byte[] run(byte[] input, RunContext context) throws Exception;
    }

    private final String name;
    private final Body body;

    public LambdaApp(String name, Body body) {
        this.name = name;
        this.body = body;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void validate(JsonNode input, int workUnits) {
    }

    @Override
    public int defaultWorkUnits(JsonNode input) {
        return 1;
    }

    @Override
    public byte[] unitInput(JsonNode input, int workUnits, int index) {
        return new byte[0];
    }

    @Override
    public double cost(JsonNode input, int workUnits, int index) {
        return 1;
    }

    @Override
    public byte[] run(byte[] unitInput, RunContext context) throws Exception {
        return body.run(unitInput, context);
    }

    @Override
    public Merger merger(JsonNode input, int workUnits) {
        return new Merger() {
            @Override
            public void accept(int index, byte[] output) {
            }

            @Override
            public MergedResult finish() {
                return MergedResult.json("{}");
            }
        };
    }
}
