package org.enjambre.workunits.wasm;

import com.dylibso.chicory.wabt.Wat2Wasm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Compiles every {@code .wat} file of a directory to a {@code .wasm} file beside the others in an output
 * directory, with Chicory's wat2wasm; the build runs it on {@code examples/wasm} so that
 * {@code workunits/target/wasm/primes.wasm} is ready to upload. Usage: {@code WatCompiler SRC_DIR OUT_DIR}.
 */
public final class WatCompiler {
    private WatCompiler() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: WatCompiler SRC_DIR OUT_DIR");
        }
        Path src = Path.of(args[0]).toAbsolutePath().normalize();
        Path out = Files.createDirectories(Path.of(args[1]).toAbsolutePath().normalize());
        List<Path> sources;
        try (Stream<Path> files = Files.list(src)) {
            sources = files.filter(p -> p.getFileName().toString().endsWith(".wat")).sorted().toList();
        }
        for (Path wat : sources) {
            String name = wat.getFileName().toString().replaceFirst("\\.wat$", ".wasm");
            byte[] wasm = Wat2Wasm.parse(Files.readString(wat, StandardCharsets.UTF_8));
            Files.write(out.resolve(name), wasm);
            System.out.println("[wat2wasm] " + wat + " -> " + out.resolve(name) + " (" + wasm.length + " bytes, sha256 "
                    + WasmModules.sha256(wasm) + ")");
        }
    }
}
