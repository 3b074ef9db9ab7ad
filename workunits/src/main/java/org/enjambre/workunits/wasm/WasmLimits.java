package org.enjambre.workunits.wasm;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds a module runs within: its size in bytes, its linear memory, and the wall-clock time of one
 * run.
 *
 * @param maxModuleBytes the largest module accepted, in bytes
 * @param maxMemoryBytes the most linear memory one instance may have, in bytes (rounded down to 64 KiB pages)
 * @param timeLimit      how long one run (instantiation included) may take before it is interrupted
 */
public record WasmLimits(long maxModuleBytes, long maxMemoryBytes, Duration timeLimit) {
    public static final long DEFAULT_MAX_MODULE_BYTES = 16L << 20;
    public static final long DEFAULT_MAX_MEMORY_BYTES = 256L << 20;
    public static final Duration DEFAULT_TIME_LIMIT = Duration.ofMinutes(10);
    /** WebAssembly's page size. */
    public static final int PAGE_BYTES = 65536;
    /** A 32-bit memory holds at most 65536 pages, 4 GiB. */
    public static final long MAX_MEMORY_BYTES = 65536L * PAGE_BYTES;

    public WasmLimits {
        Objects.requireNonNull(timeLimit, "timeLimit");
        if (maxModuleBytes < 8 || maxModuleBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxModuleBytes (" + maxModuleBytes + ") must be between 8 and 2^31 - 9");
        }
        if (maxMemoryBytes < PAGE_BYTES || maxMemoryBytes > MAX_MEMORY_BYTES) {
            throw new IllegalArgumentException("maxMemoryBytes (" + maxMemoryBytes + ") must be between 64 KiB and 4 GiB");
        }
        if (timeLimit.isNegative() || timeLimit.isZero()) {
            throw new IllegalArgumentException("timeLimit (" + timeLimit + ") must be positive");
        }
    }

    /** 16 MiB modules, 256 MiB of memory, 10 minutes per run. */
    public static WasmLimits defaults() {
        return new WasmLimits(DEFAULT_MAX_MODULE_BYTES, DEFAULT_MAX_MEMORY_BYTES, DEFAULT_TIME_LIMIT);
    }

    public WasmLimits withMaxModuleBytes(long bytes) {
        return new WasmLimits(bytes, maxMemoryBytes, timeLimit);
    }

    public WasmLimits withMaxMemoryBytes(long bytes) {
        return new WasmLimits(maxModuleBytes, bytes, timeLimit);
    }

    public WasmLimits withTimeLimit(Duration limit) {
        return new WasmLimits(maxModuleBytes, maxMemoryBytes, limit);
    }

    /** The memory cap in whole pages. */
    int maxMemoryPages() {
        return (int) (maxMemoryBytes / PAGE_BYTES);
    }

    /** A size for messages, exact: {@code 256 MiB}, {@code 64 KiB}, {@code 1000 bytes}. */
    static String bytes(long n) {
        if (n >= (1L << 20) && n % (1L << 20) == 0) {
            return (n >> 20) + " MiB";
        }
        if (n >= 1024 && n % 1024 == 0) {
            return (n >> 10) + " KiB";
        }
        return n + " bytes";
    }

    /** A duration for messages: {@code 10s}, {@code 200ms}, {@code 10m}. */
    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0) {
            return (ms / 60_000) + "m";
        }
        if (ms % 1000 == 0) {
            return (ms / 1000) + "s";
        }
        return ms + "ms";
    }
}
