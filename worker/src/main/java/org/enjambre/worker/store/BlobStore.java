package org.enjambre.worker.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Content-addressed blobs (WebAssembly modules) in {@code blobs/<sha256>}; only verified bytes are kept. */
public final class BlobStore {
    private final DataDir dir;

    public BlobStore(DataDir dir) {
        this.dir = dir;
    }

    public Optional<byte[]> get(String sha256) throws IOException {
        try {
            byte[] bytes = Files.readAllBytes(file(sha256));
            return FileNames.sha256Hex(bytes).equals(sha256) ? Optional.of(bytes) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Keeps {@code bytes}; throws {@link IllegalArgumentException} when they do not hash to {@code sha256}. */
    public void put(String sha256, byte[] bytes) throws IOException {
        String actual = FileNames.sha256Hex(bytes);
        if (!actual.equals(sha256)) {
            throw new IllegalArgumentException("blob " + sha256 + " arrived with sha256 " + actual);
        }
        dir.ensureOpen();
        AtomicFiles.write(file(sha256), bytes);
    }

    private Path file(String sha256) {
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a lowercase sha256: " + sha256);
        }
        return dir.blobs().resolve(sha256);
    }
}
