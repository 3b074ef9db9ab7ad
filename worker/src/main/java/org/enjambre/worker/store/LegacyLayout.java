package org.enjambre.worker.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Logger;

/**
 * Imports a data directory written by an older worker (one file per task in {@code tasks/}, one per
 * unacknowledged result in {@code outbox/}) into the {@link TaskJournal}, then deletes those files:
 * an upgrade keeps every held task and every result not yet acknowledged.
 */
final class LegacyLayout {
    private static final Logger LOG = Logger.getLogger(LegacyLayout.class.getName());

    private LegacyLayout() {
    }

    static void importInto(DataDir dir, TaskJournal journal) throws IOException {
        List<Path> taskFiles = files(dir.root().resolve("tasks"));
        List<Path> resultFiles = files(dir.root().resolve("outbox"));
        if (taskFiles.isEmpty() && resultFiles.isEmpty()) {
            return;
        }
        List<StoredTask> tasks = new ArrayList<>();
        for (Path file : taskFiles) {
            read(file, StoredTask.class).filter(t -> t.task().problem() == null && journal.result(t.id()).isEmpty()).ifPresent(tasks::add);
        }
        tasks.sort(Comparator.comparingLong(StoredTask::acceptedAtMillis));
        List<OutboxEntry> results = new ArrayList<>();
        for (Path file : resultFiles) {
            read(file, OutboxEntry.class).ifPresent(results::add);
        }
        results.sort(Comparator.comparingLong(OutboxEntry::finishedAtMillis));
        journal.accept(tasks);
        results.forEach(journal::finish);
        journal.commit();
        for (Path file : taskFiles) {
            Files.deleteIfExists(file);
        }
        for (Path file : resultFiles) {
            Files.deleteIfExists(file);
        }
        LOG.info("imported " + tasks.size() + " task(s) and " + results.size() + " result(s) from the old data directory layout");
    }

    private static <T> java.util.Optional<T> read(Path file, Class<T> type) {
        try {
            return java.util.Optional.of(StoreJson.MAPPER.readValue(Files.readAllBytes(file), type));
        } catch (IOException | RuntimeException e) {
            LOG.warning("skipping unreadable file " + file + " of the old layout: " + e.getMessage());
            return java.util.Optional.empty();
        }
    }

    private static List<Path> files(Path sub) throws IOException {
        if (!Files.isDirectory(sub)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(sub, "*.json")) {
            for (Path file : list) {
                if (!AtomicFiles.isTemporary(file)) {
                    found.add(file);
                }
            }
        }
        return found;
    }
}
