package org.enjambre.workunits.wasm;

import com.dylibso.chicory.wabt.Wat2Wasm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The test and example modules, compiled from their WAT text on first use (Chicory's wabt, in-process). */
final class Wat {
    private static final Map<String, byte[]> COMPILED = new ConcurrentHashMap<>();

    private Wat() {
    }

    /** The wasm bytes of {@code /wasm/<name>.wat} on the test classpath. */
    static byte[] module(String name) {
        return COMPILED.computeIfAbsent(name, Wat::compile).clone();
    }

    /** The wasm bytes of WAT {@code text}. */
    static byte[] text(String text) {
        return Wat2Wasm.parse(text);
    }

    private static byte[] compile(String name) {
        String path = "/wasm/" + name + ".wat";
        try (InputStream in = Wat.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no " + path + " on the test classpath");
            }
            return Wat2Wasm.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
