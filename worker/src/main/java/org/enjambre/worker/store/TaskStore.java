package org.enjambre.worker.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The tasks accepted and not yet finished, one file each in {@code tasks/}: written before a task
 * runs, deleted once its result is in the outbox (or the task was dropped). After a crash, what is
 * left here is what to resume.
 */
public final class TaskStore {
    private static final Logger LOG = Logger.getLogger(TaskStore.class.getName());
    private final DataDir dir;

    public TaskStore(DataDir dir) {
        this.dir = dir;
    }

    public void put(StoredTask task) throws IOException {
        dir.ensureOpen();
        AtomicFiles.write(file(task.id()), StoreJson.MAPPER.writeValueAsBytes(task));
    }

    public boolean contains(String id) {
        return Files.exists(file(id));
    }

    public void remove(String id) throws IOException {
        dir.ensureOpen();
        Files.deleteIfExists(file(id));
    }

    /** Every stored task, oldest accepted first; unreadable files are moved aside as {@code *.corrupt}. */
    public List<StoredTask> list() throws IOException {
        List<StoredTask> tasks = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir.tasks(), "*.json")) {
            for (Path file : files) {
                if (AtomicFiles.isTemporary(file)) {
                    continue;
                }
                try {
                    StoredTask task = StoreJson.MAPPER.readValue(Files.readAllBytes(file), StoredTask.class);
                    if (task.task().problem() != null) {
                        throw new IOException(task.task().problem());
                    }
                    tasks.add(task);
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "moving unreadable task file " + file + " aside: " + e.getMessage());
                    Files.move(file, file.resolveSibling(file.getFileName() + ".corrupt"), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        tasks.sort(Comparator.comparingLong(StoredTask::acceptedAtMillis));
        return tasks;
    }

    private Path file(String id) {
        return dir.tasks().resolve(FileNames.escape(id) + ".json");
    }
}
