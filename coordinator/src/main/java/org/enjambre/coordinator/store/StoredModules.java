package org.enjambre.coordinator.store;

import org.enjambre.workunits.wasm.ModuleSource;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** WebAssembly modules read from the store's blobs by SHA-256, the {@value #CACHED} most recently used kept in memory. */
public final class StoredModules implements ModuleSource {
    static final int CACHED = 32;

    private final Store store;
    private final Map<String, byte[]> cache = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > CACHED;
        }
    });

    public StoredModules(Store store) {
        this.store = store;
    }

    @Override
    public Optional<byte[]> find(String sha256) {
        byte[] cached = cache.get(sha256);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<byte[]> found = store.blob(sha256);
        found.ifPresent(b -> cache.put(sha256, b));
        return found;
    }
}
