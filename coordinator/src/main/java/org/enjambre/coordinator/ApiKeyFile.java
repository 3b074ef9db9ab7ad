package org.enjambre.coordinator;

import org.enjambre.coordinator.workers.WorkerService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** The operator's API key kept in {@code <data dir>/api-key}: read when present, generated (mode 600) when not. */
final class ApiKeyFile {
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyFile.class);
    /** A stored key shorter than this is treated as absent and replaced. */
    private static final int MIN_LENGTH = 8;

    private ApiKeyFile() {
    }

    /** The path of the API key file in a data directory. */
    static Path path(Path dataDir) {
        return dataDir.resolve("api-key");
    }

    /** The key stored in {@code dataDir}, or a new one written there atomically. */
    static String readOrCreate(Path dataDir) throws IOException {
        Path file = path(dataDir);
        if (Files.exists(file)) {
            String key = Files.readString(file).trim();
            if (key.length() >= MIN_LENGTH) {
                return key;
            }
        }
        String key = "ek-" + WorkerService.randomId(32);
        Path tmp = dataDir.resolve("api-key.tmp");
        Files.writeString(tmp, key + "\n");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        LOG.info("generated an API key in {}", file.toAbsolutePath());
        return key;
    }
}
