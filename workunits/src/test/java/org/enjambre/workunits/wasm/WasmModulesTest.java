package org.enjambre.workunits.wasm;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WasmModulesTest {
    private static final String ALLOWED =
            "(allowed: enjambre.progress, enjambre.checkpoint_due, enjambre.checkpoint, enjambre.restore, "
            + "enjambre.file_count, enjambre.file_size, enjambre.file_read)";

    /** A module with the ABI's exports and {@code extra} inside. */
    private static byte[] withAbi(String extra) {
        return Wat.text("(module " + extra + """
                  (memory (export "memory") 1)
                  (func (export "alloc") (param i32) (result i32) (i32.const 0))
                  (func (export "run") (param i32 i32) (result i64) (i64.const 0)))
                """);
    }

    @Test
    void validate_echo_hasNoMerge() throws Exception {
        byte[] bytes = Wat.module("echo");
        ModuleInfo info = WasmModules.validate(bytes);
        assertThat(info.hasMerge()).isFalse();
        assertThat(info.sizeBytes()).isEqualTo(bytes.length);
        assertThat(info.sha256()).isEqualTo(WasmModules.sha256(bytes));
    }

    @Test
    void validate_primesExample_hasMergeAndHostImports() throws Exception {
        assertThat(WasmModules.validate(Wat.module("primes")).hasMerge()).isTrue();
    }

    @Test
    void sha256_knownAnswer() {
        assertThat(WasmModules.sha256("abc".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void isSha256_acceptsOnlyLowercaseHex64() {
        String good = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assertThat(WasmModules.isSha256(good)).isTrue();
        assertThat(WasmModules.isSha256(good.toUpperCase())).isFalse();
        assertThat(WasmModules.isSha256(good.substring(1))).isFalse();
        assertThat(WasmModules.isSha256(good.replace('a', 'g'))).isFalse();
        assertThat(WasmModules.isSha256(null)).isFalse();
    }

    @Test
    void validate_notWasm_isMalformed() {
        assertThatThrownBy(() -> WasmModules.validate("hello, world".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(WasmException.class)
                .hasMessageStartingWith("module is not valid WebAssembly: ")
                .extracting(e -> ((WasmException) e).kind()).isEqualTo(WasmException.Kind.INVALID_MODULE);
    }

    @Test
    void validate_truncated_isMalformed() {
        byte[] bytes = Wat.module("primes");
        assertThatThrownBy(() -> WasmModules.validate(Arrays.copyOf(bytes, bytes.length / 2)))
                .hasMessageStartingWith("module is not valid WebAssembly: ");
    }

    @Test
    void validate_empty_isMalformed() {
        assertThatThrownBy(() -> WasmModules.validate(new byte[0]))
                .hasMessageStartingWith("module is not valid WebAssembly: ");
    }

    @Test
    void validate_dataSegmentDeclaringTwoGigabytes_isMalformedNotOutOfMemory() {
        // header, then a data section of 10 bytes: 1 segment, mode 0, (i32.const 0) end, length 0x7FFFFFF0
        byte[] bytes = {0, 'a', 's', 'm', 1, 0, 0, 0,
                11, 10, 1, 0, 0x41, 0, 0x0B, (byte) 0xF0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07};
        assertThatThrownBy(() -> WasmModules.validate(bytes))
                .hasMessageStartingWith("module is not valid WebAssembly: ");
    }

    @Test
    void validate_overSizeLimit() {
        byte[] bytes = Wat.module("primes");
        assertThatThrownBy(() -> WasmModules.validate(bytes, 100))
                .hasMessage("module is " + bytes.length + " bytes, more than the limit of 100 bytes");
        byte[] big = new byte[(16 << 20) + 1];
        assertThatThrownBy(() -> WasmModules.validate(big))
                .hasMessage("module is 16777217 bytes, more than the limit of 16 MiB");
    }

    @Test
    void validate_wasiImport_isRefusedByName() {
        assertThatThrownBy(() -> WasmModules.validate(Wat.module("wasi")))
                .hasMessage("module imports wasi_snapshot_preview1.clock_time_get which is not allowed " + ALLOWED);
    }

    @Test
    void validate_unknownEnjambreImport_isRefused() {
        byte[] bytes = withAbi("(import \"enjambre\" \"random\" (func (result i64)))");
        assertThatThrownBy(() -> WasmModules.validate(bytes))
                .hasMessage("module imports enjambre.random which is not allowed " + ALLOWED);
    }

    @Test
    void validate_importedMemory_isRefused() {
        byte[] bytes = Wat.text("""
                (module
                  (import "env" "memory" (memory 1))
                  (export "memory" (memory 0))
                  (func (export "alloc") (param i32) (result i32) (i32.const 0))
                  (func (export "run") (param i32 i32) (result i64) (i64.const 0)))
                """);
        assertThatThrownBy(() -> WasmModules.validate(bytes))
                .hasMessage("module imports memory env.memory which is not allowed " + ALLOWED);
    }

    @Test
    void validate_hostImportWithWrongType_isRefused() {
        byte[] bytes = withAbi("(import \"enjambre\" \"progress\" (func (param f32)))");
        assertThatThrownBy(() -> WasmModules.validate(bytes))
                .hasMessage("module imports enjambre.progress with type (f32) -> (), expected (f64) -> ()");
    }

    @Test
    void validate_fileImportsWithTheirTypes_areAccepted_andAWrongTypeIsRefused() throws Exception {
        byte[] ok = withAbi("(import \"enjambre\" \"file_count\" (func (result i32)))"
                + " (import \"enjambre\" \"file_size\" (func (param i32) (result i64)))"
                + " (import \"enjambre\" \"file_read\" (func (param i32 i64 i32 i32) (result i32)))");
        assertThat(WasmModules.validate(ok).sha256()).isEqualTo(WasmModules.sha256(ok));
        byte[] bad = withAbi("(import \"enjambre\" \"file_read\" (func (param i32 i32 i32 i32) (result i32)))");
        assertThatThrownBy(() -> WasmModules.validate(bad))
                .hasMessage("module imports enjambre.file_read with type (i32, i32, i32, i32) -> (i32),"
                        + " expected (i32, i64, i32, i32) -> (i32)");
    }

    @Test
    void validate_missingRun() {
        assertThatThrownBy(() -> WasmModules.validate(Wat.module("norun")))
                .hasMessage("module does not export 'run'");
    }

    @Test
    void validate_missingAlloc() {
        byte[] bytes = Wat.text("""
                (module
                  (memory (export "memory") 1)
                  (func (export "run") (param i32 i32) (result i64) (i64.const 0)))
                """);
        assertThatThrownBy(() -> WasmModules.validate(bytes)).hasMessage("module does not export 'alloc'");
    }

    @Test
    void validate_missingMemory() {
        byte[] bytes = Wat.text("""
                (module
                  (memory 1)
                  (func (export "alloc") (param i32) (result i32) (i32.const 0))
                  (func (export "run") (param i32 i32) (result i64) (i64.const 0)))
                """);
        assertThatThrownBy(() -> WasmModules.validate(bytes)).hasMessage("module does not export 'memory'");
    }

    @Test
    void validate_runWithWrongSignature() {
        assertThatThrownBy(() -> WasmModules.validate(Wat.module("badsig")))
                .hasMessage("module exports 'run' with type (i32) -> (i32), expected (i32, i32) -> (i64)");
    }

    @Test
    void validate_runExportedAsGlobal() {
        byte[] bytes = Wat.text("""
                (module
                  (memory (export "memory") 1)
                  (global (export "run") i32 (i32.const 0))
                  (func (export "alloc") (param i32) (result i32) (i32.const 0)))
                """);
        assertThatThrownBy(() -> WasmModules.validate(bytes))
                .hasMessage("module exports 'run' as a global, expected a function (i32, i32) -> (i64)");
    }

    @Test
    void validate_mergeWithWrongSignature() {
        byte[] bytes = withAbi("(func (export \"merge\") (param i32 i32) (result i32) (i32.const 0))");
        assertThatThrownBy(() -> WasmModules.validate(bytes))
                .hasMessage("module exports 'merge' with type (i32, i32) -> (i32), expected (i32, i32) -> (i64)");
    }

    @Test
    void validate_hugeTable_isRefused() {
        byte[] bytes = withAbi("(table 2000000 funcref)");
        assertThatThrownBy(() -> WasmModules.validate(bytes))
                .hasMessage("module's table 0 starts with 2000000 elements, more than the limit of 1048576");
    }

    @Test
    void validate_exportedFunctionThatIsAnImport_checksItsType() throws Exception {
        byte[] bytes = Wat.text("""
                (module
                  (import "enjambre" "restore" (func $restore (param i32 i32) (result i32)))
                  (memory (export "memory") 1)
                  (export "alloc" (func $restore))
                  (func (export "run") (param i32 i32) (result i64) (i64.const 0)))
                """);
        assertThatThrownBy(() -> WasmModules.validate(bytes))
                .hasMessage("module exports 'alloc' with type (i32, i32) -> (i32), expected (i32) -> (i32)");
    }
}
