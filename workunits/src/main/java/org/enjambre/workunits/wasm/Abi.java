package org.enjambre.workunits.wasm;

import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The names and signatures of the Enjambre module ABI (documented in docs/wasm-abi.md). */
final class Abi {
    static final String MEMORY = "memory";
    static final String ALLOC = "alloc";
    static final String RUN = "run";
    static final String MERGE = "merge";

    static final String HOST_MODULE = "enjambre";
    static final String PROGRESS = "progress";
    static final String CHECKPOINT_DUE = "checkpoint_due";
    static final String CHECKPOINT = "checkpoint";
    static final String RESTORE = "restore";
    static final String FILE_COUNT = "file_count";
    static final String FILE_SIZE = "file_size";
    static final String FILE_READ = "file_read";

    static final FunctionType ALLOC_TYPE = FunctionType.of(List.of(ValType.I32), List.of(ValType.I32));
    /** {@code run} and {@code merge}: (ptr, len) -> ptr << 32 | len. */
    static final FunctionType RUN_TYPE = FunctionType.of(List.of(ValType.I32, ValType.I32), List.of(ValType.I64));

    /** The only imports a module may have, all functions of module {@code enjambre}, by name. */
    static final Map<String, FunctionType> HOST_FUNCTIONS;

    static {
        Map<String, FunctionType> m = new LinkedHashMap<>();
        m.put(PROGRESS, FunctionType.of(List.of(ValType.F64), List.of()));
        m.put(CHECKPOINT_DUE, FunctionType.of(List.of(), List.of(ValType.I32)));
        m.put(CHECKPOINT, FunctionType.of(List.of(ValType.I32, ValType.I32), List.of()));
        m.put(RESTORE, FunctionType.of(List.of(ValType.I32, ValType.I32), List.of(ValType.I32)));
        m.put(FILE_COUNT, FunctionType.of(List.of(), List.of(ValType.I32)));
        m.put(FILE_SIZE, FunctionType.of(List.of(ValType.I32), List.of(ValType.I64)));
        m.put(FILE_READ, FunctionType.of(List.of(ValType.I32, ValType.I64, ValType.I32, ValType.I32), List.of(ValType.I32)));
        HOST_FUNCTIONS = java.util.Collections.unmodifiableMap(m);
    }

    /** Tables may hold at most this many elements (about 12 MiB of host memory). */
    static final int MAX_TABLE_ELEMENTS = 1 << 20;

    private Abi() {
    }

    /** "enjambre.progress, enjambre.checkpoint_due, ..." */
    static String allowedImports() {
        return HOST_FUNCTIONS.keySet().stream().map(n -> HOST_MODULE + "." + n).collect(Collectors.joining(", "));
    }

    /** A function type as WAT-like text: {@code (i32, i32) -> (i64)}. */
    static String describe(FunctionType type) {
        return "(" + type.params().stream().map(Abi::name).collect(Collectors.joining(", ")) + ") -> ("
                + type.returns().stream().map(Abi::name).collect(Collectors.joining(", ")) + ")";
    }

    private static String name(ValType t) {
        return t.toString().toLowerCase(java.util.Locale.ROOT);
    }
}
