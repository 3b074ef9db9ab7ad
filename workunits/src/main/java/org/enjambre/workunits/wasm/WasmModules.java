package org.enjambre.workunits.wasm;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.Table;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks that bytes are a WebAssembly module Enjambre will run: well-formed, within the size limit,
 * exporting what the ABI requires with the right signatures, importing nothing but the ABI's host
 * functions. Also names modules by their SHA-256.
 */
public final class WasmModules {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private WasmModules() {
    }

    /** Validates {@code bytes} against the default size limit of 16 MiB. */
    public static ModuleInfo validate(byte[] bytes) throws WasmException {
        return validate(bytes, WasmLimits.DEFAULT_MAX_MODULE_BYTES);
    }

    /**
     * Validates {@code bytes} as an Enjambre module of at most {@code maxBytes} bytes.
     *
     * @throws WasmException of kind {@link WasmException.Kind#INVALID_MODULE}, saying what is wrong
     */
    public static ModuleInfo validate(byte[] bytes, long maxBytes) throws WasmException {
        return parse(bytes, maxBytes).info();
    }

    /** The lowercase hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Whether {@code s} is 64 lowercase hex digits, the form module hashes take. */
    public static boolean isSha256(String s) {
        return s != null && SHA256_HEX.matcher(s).matches();
    }

    /** A parsed, validated module. */
    record Parsed(WasmModule module, ModuleInfo info) {
    }

    static Parsed parse(byte[] bytes, long maxBytes) throws WasmException {
        if (bytes == null) {
            throw invalid("module has no bytes");
        }
        if (bytes.length > maxBytes) {
            throw invalid("module is " + WasmLimits.bytes(bytes.length) + ", more than the limit of "
                    + WasmLimits.bytes(maxBytes));
        }
        WasmModule module;
        try {
            module = Parser.parse(bytes);
        } catch (RuntimeException e) {
            throw new WasmException(WasmException.Kind.INVALID_MODULE,
                    "module is not valid WebAssembly: " + describe(e), e);
        } catch (OutOfMemoryError | StackOverflowError e) {
            // A few bytes can declare a 2 GiB data segment or nest blocks without end.
            throw new WasmException(WasmException.Kind.INVALID_MODULE,
                    "module is not valid WebAssembly: it declares more than its bytes hold or nests too deeply", e);
        }
        checkImports(module);
        checkMemory(module);
        checkExport(module, Abi.ALLOC, Abi.ALLOC_TYPE);
        checkExport(module, Abi.RUN, Abi.RUN_TYPE);
        boolean hasMerge = findExport(module, Abi.MERGE).isPresent();
        if (hasMerge) {
            checkExport(module, Abi.MERGE, Abi.RUN_TYPE);
        }
        checkTables(module);
        return new Parsed(module, new ModuleInfo(sha256(bytes), bytes.length, hasMerge));
    }

    private static void checkImports(WasmModule module) throws WasmException {
        var imports = module.importSection();
        for (int i = 0; i < imports.importCount(); i++) {
            Import imp = imports.getImport(i);
            String name = imp.module() + "." + imp.name();
            FunctionType expected = Abi.HOST_MODULE.equals(imp.module()) ? Abi.HOST_FUNCTIONS.get(imp.name()) : null;
            if (expected == null || imp.importType() != ExternalType.FUNCTION) {
                String what = imp.importType() == ExternalType.FUNCTION
                        ? "" : imp.importType().name().toLowerCase(Locale.ROOT) + " ";
                throw invalid("module imports " + what + name + " which is not allowed (allowed: "
                        + Abi.allowedImports() + ")");
            }
            FunctionType actual = module.typeSection().getType(((FunctionImport) imp).typeIndex());
            if (!actual.equals(expected)) {
                throw invalid("module imports " + name + " with type " + Abi.describe(actual) + ", expected "
                        + Abi.describe(expected));
            }
        }
    }

    private static void checkMemory(WasmModule module) throws WasmException {
        int count = module.memorySection().map(s -> s.memoryCount()).orElse(0);
        if (count > 1) {
            throw invalid("module declares " + count + " memories; the ABI allows one, exported as 'memory'");
        }
        Export export = findExport(module, Abi.MEMORY)
                .orElseThrow(() -> invalid("module does not export 'memory'"));
        if (export.exportType() != ExternalType.MEMORY) {
            throw invalid("module exports 'memory' as a " + kind(export) + ", expected a memory");
        }
        MemoryLimits limits = module.memorySection().orElseThrow().getMemory(0).limits();
        if (limits.shared()) {
            throw invalid("module's memory is shared, which is not allowed: modules run single-threaded");
        }
    }

    private static void checkExport(WasmModule module, String name, FunctionType expected) throws WasmException {
        Export export = findExport(module, name)
                .orElseThrow(() -> invalid("module does not export '" + name + "'"));
        if (export.exportType() != ExternalType.FUNCTION) {
            throw invalid("module exports '" + name + "' as a " + kind(export) + ", expected a function "
                    + Abi.describe(expected));
        }
        FunctionType actual = functionType(module, export.index());
        if (!actual.equals(expected)) {
            throw invalid("module exports '" + name + "' with type " + Abi.describe(actual) + ", expected "
                    + Abi.describe(expected));
        }
    }

    private static void checkTables(WasmModule module) throws WasmException {
        var tables = module.tableSection();
        for (int i = 0; i < tables.tableCount(); i++) {
            Table t = tables.getTable(i);
            if (t.limits().min() > Abi.MAX_TABLE_ELEMENTS) {
                throw invalid("module's table " + i + " starts with " + t.limits().min()
                        + " elements, more than the limit of " + Abi.MAX_TABLE_ELEMENTS);
            }
        }
    }

    private static FunctionType functionType(WasmModule module, int index) {
        int imported = module.importSection().count(ExternalType.FUNCTION);
        if (index < imported) {
            int seen = 0;
            var imports = module.importSection();
            for (int i = 0; i < imports.importCount(); i++) {
                if (imports.getImport(i) instanceof FunctionImport f && seen++ == index) {
                    return module.typeSection().getType(f.typeIndex());
                }
            }
        }
        return module.functionSection().getFunctionType(index - imported, module.typeSection());
    }

    private static Optional<Export> findExport(WasmModule module, String name) {
        var exports = module.exportSection();
        for (int i = 0; i < exports.exportCount(); i++) {
            if (exports.getExport(i).name().equals(name)) {
                return Optional.of(exports.getExport(i));
            }
        }
        return Optional.empty();
    }

    private static String kind(Export export) {
        return export.exportType().name().toLowerCase(Locale.ROOT);
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static WasmException invalid(String message) {
        return new WasmException(WasmException.Kind.INVALID_MODULE, message);
    }
}
