package org.enjambre.workunits.wasm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in apps that also exist as WebAssembly modules, so that a browser can run their units: each
 * module gives, for a unit's input bytes, exactly the output bytes of the Java app (tested by
 * {@code BuiltInModulesTest}). The build compiles them from {@code workunits/src/main/wat} into this jar;
 * a build that skipped test compilation ({@code -Dmaven.test.skip}) has none, and {@link #all()} is empty.
 */
public final class BuiltInModules {
    /** The apps that have a module, in the order browsers list them. */
    public static final List<String> APPS = List.of("primes", "collatz", "mandelbrot");

    private static final String ROOT = "/org/enjambre/workunits/wasm/builtin/";
    private static final Map<String, Module> MODULES = load();

    /** One app's module: its name, the SHA-256 that names it as a blob, and its bytes. */
    public record Module(String app, String sha256, byte[] bytes) {
        @Override
        public byte[] bytes() {
            return bytes.clone();
        }
    }

    private BuiltInModules() {
    }

    /** The modules this build holds, by app name, in {@link #APPS} order. */
    public static Map<String, Module> all() {
        return MODULES;
    }

    /** The module named by {@code sha256}, if it is a built-in one. */
    public static Optional<Module> bySha256(String sha256) {
        return MODULES.values().stream().filter(m -> m.sha256().equals(sha256)).findFirst();
    }

    private static Map<String, Module> load() {
        Map<String, Module> modules = new LinkedHashMap<>();
        for (String app : APPS) {
            try (InputStream in = BuiltInModules.class.getResourceAsStream(ROOT + app + ".wasm")) {
                if (in != null) {
                    byte[] bytes = in.readAllBytes();
                    modules.put(app, new Module(app, WasmModules.sha256(bytes), bytes));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the built-in module of " + app, e);
            }
        }
        return Collections.unmodifiableMap(modules);
    }
}
