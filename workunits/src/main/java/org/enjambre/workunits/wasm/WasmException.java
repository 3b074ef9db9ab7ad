package org.enjambre.workunits.wasm;

import java.util.Objects;

/**
 * A WebAssembly module that is refused or that failed to compute; {@link #kind()} says which way, the
 * message says what was wrong in one sentence a user can act on.
 */
public final class WasmException extends Exception {

    /** The ways a module can be refused or fail. */
    public enum Kind {
        /** The bytes are not a module the ABI accepts: malformed, missing export, forbidden import, too large. */
        INVALID_MODULE,
        /** The module trapped: {@code unreachable}, division by zero, out-of-bounds access, stack exhausted. */
        TRAPPED,
        /** The module ran past its time bound. */
        TIMED_OUT,
        /** The module asked for more memory than its cap, or the host ran out of memory running it. */
        OUT_OF_MEMORY,
        /** The module broke the ABI at run time, e.g. returned an output outside its memory. */
        ABI_VIOLATION,
        /** An input file of the unit could not be read (its chunks could not be fetched or verified): the host's
         * failure, not the module's. */
        FILE_UNREADABLE
    }

    private final Kind kind;

    public WasmException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public WasmException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }
}
