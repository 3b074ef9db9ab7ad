package org.enjambre.worker.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Keeps the worker's {@link Identity} in {@code identity.json} (readable by its owner only on POSIX). */
public final class IdentityStore {
    private static final Logger LOG = Logger.getLogger(IdentityStore.class.getName());
    private final DataDir dir;

    public IdentityStore(DataDir dir) {
        this.dir = dir;
    }

    /** The saved identity; empty when none was saved or the file is unreadable (the worker registers again). */
    public Optional<Identity> load() {
        Path file = dir.identityFile();
        try {
            Identity identity = StoreJson.MAPPER.readValue(Files.readAllBytes(file), Identity.class);
            if (identity.workerId().isBlank() || identity.token().isBlank()) {
                throw new IOException("workerId or token is blank");
            }
            return Optional.of(identity);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "ignoring unreadable identity file " + file + " (" + e.getMessage() + "); registering again");
            return Optional.empty();
        }
    }

    public void save(Identity identity) throws IOException {
        dir.ensureOpen();
        AtomicFiles.write(dir.identityFile(), StoreJson.MAPPER.writeValueAsBytes(identity));
    }

    public void clear() throws IOException {
        dir.ensureOpen();
        Files.deleteIfExists(dir.identityFile());
    }
}
