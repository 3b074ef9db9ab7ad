package org.enjambre.worker.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/** The last checkpoint of each running task, one file each in {@code checkpoints/}, replaced atomically. */
public final class CheckpointStore {
    private final DataDir dir;

    public CheckpointStore(DataDir dir) {
        this.dir = dir;
    }

    public void save(String id, byte[] state) throws IOException {
        dir.ensureOpen();
        AtomicFiles.write(file(id), state);
    }

    public Optional<byte[]> load(String id) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(file(id)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    public void delete(String id) throws IOException {
        dir.ensureOpen();
        Files.deleteIfExists(file(id));
    }

    /** Deletes the checkpoints of every task but {@code ids} (leftovers of tasks that finished or were dropped). */
    public void retainOnly(Set<String> ids) throws IOException {
        dir.ensureOpen();
        Set<String> keep = new HashSet<>();
        ids.forEach(id -> keep.add(file(id).getFileName().toString()));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir.checkpoints(), "*.ckpt")) {
            for (Path file : files) {
                if (!keep.contains(file.getFileName().toString())) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private Path file(String id) {
        return dir.checkpoints().resolve(FileNames.escape(id) + ".ckpt");
    }
}
