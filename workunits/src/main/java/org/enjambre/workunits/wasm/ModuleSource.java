package org.enjambre.workunits.wasm;

import java.util.Optional;

/**
 * Where the wasm app finds a module's bytes by their SHA-256: the coordinator's blob store, a worker's
 * download cache, a map in tests. Implementations are thread-safe.
 */
@FunctionalInterface
public interface ModuleSource {

    /** The bytes of the module whose lowercase hex SHA-256 is {@code sha256}, if this source has them. */
    Optional<byte[]> find(String sha256);
}
