package org.enjambre.coordinator.sim;

import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.RunContext;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The right answers, computed by the real apps (cached: an app's run is deterministic), and the one wrong
 * answer colluding saboteurs agree on.
 */
final class Oracle {
    private static final Map<String, byte[]> ANSWERS = new ConcurrentHashMap<>();

    private Oracle() {
    }

    /** What {@code app} computes for {@code input}. */
    static byte[] answer(App app, byte[] input) {
        return ANSWERS.computeIfAbsent(app.name() + "\u0000" + new String(input, StandardCharsets.ISO_8859_1), k -> {
            try {
                return app.run(input, RunContext.inMemory());
            } catch (Exception e) {
                throw new IllegalStateException("the oracle could not run " + app.name(), e);
            }
        });
    }

    /** The wrong answer every colluding saboteur gives: well-formed JSON, a number prefixed with 1. */
    static byte[] colluding(byte[] right) {
        String s = new String(right, StandardCharsets.UTF_8);
        int colon = s.indexOf(':');
        return colon < 0 ? (s + " ").getBytes(StandardCharsets.UTF_8)
                : (s.substring(0, colon + 1) + "1" + s.substring(colon + 1)).getBytes(StandardCharsets.UTF_8);
    }
}
