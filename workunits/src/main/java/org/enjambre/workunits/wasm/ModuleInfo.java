package org.enjambre.workunits.wasm;

import java.util.Objects;

/**
 * What validation learned about a module that follows the ABI.
 *
 * @param sha256    the lowercase hex SHA-256 of the module's bytes: its name everywhere in Enjambre
 * @param sizeBytes the module's size in bytes
 * @param hasMerge  whether it exports {@code merge}, so jobs may use {@code "merge": "module"}
 */
public record ModuleInfo(String sha256, int sizeBytes, boolean hasMerge) {
    public ModuleInfo {
        Objects.requireNonNull(sha256, "sha256");
    }
}
