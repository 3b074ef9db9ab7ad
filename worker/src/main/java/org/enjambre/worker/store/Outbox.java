package org.enjambre.worker.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Finished results not yet acknowledged, one file each in {@code outbox/}. A result is written here
 * before it is reported and removed only once the coordinator accepted it or rejected it for good.
 * The outbox is the single source of what is reported: the first result stored for a task is the
 * only one; a later, different one is refused, so a task is never reported with two outputs.
 *
 * <p>Thread-safe.
 */
public final class Outbox {
    private static final Logger LOG = Logger.getLogger(Outbox.class.getName());
    private final DataDir dir;
    private final Map<String, OutboxEntry> entries = new LinkedHashMap<>();

    private Outbox(DataDir dir) {
        this.dir = dir;
    }

    /** The outbox of {@code dir}, with every result a previous run left in it. */
    public static Outbox open(DataDir dir) throws IOException {
        Outbox outbox = new Outbox(dir);
        List<OutboxEntry> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir.outbox(), "*.json")) {
            for (Path file : files) {
                if (AtomicFiles.isTemporary(file)) {
                    continue;
                }
                try {
                    found.add(StoreJson.MAPPER.readValue(Files.readAllBytes(file), OutboxEntry.class));
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "moving unreadable outbox file " + file + " aside: " + e.getMessage());
                    Files.move(file, file.resolveSibling(file.getFileName() + ".corrupt"), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        found.sort(Comparator.comparingLong(OutboxEntry::finishedAtMillis));
        found.forEach(e -> outbox.entries.put(e.id(), e));
        return outbox;
    }

    /**
     * Stores {@code entry} durably unless a result for its task is already stored; returns the stored
     * one, which is what will be reported.
     */
    public synchronized OutboxEntry put(OutboxEntry entry) throws IOException {
        OutboxEntry existing = entries.get(entry.id());
        if (existing != null) {
            if (!existing.sameResult(entry)) {
                LOG.warning("task " + entry.id() + " already has a result in the outbox; keeping it, not the new different one");
            }
            return existing;
        }
        dir.ensureOpen();
        AtomicFiles.write(file(entry.id()), StoreJson.MAPPER.writeValueAsBytes(entry));
        entries.put(entry.id(), entry);
        return entry;
    }

    public synchronized Optional<OutboxEntry> get(String id) {
        return Optional.ofNullable(entries.get(id));
    }

    /** The results waiting for acknowledgement, oldest first. */
    public synchronized List<OutboxEntry> pending() {
        return List.copyOf(entries.values());
    }

    public synchronized int size() {
        return entries.size();
    }

    /** Forgets the result of task {@code id}: it was acknowledged. */
    public synchronized void remove(String id) throws IOException {
        dir.ensureOpen();
        Files.deleteIfExists(file(id));
        entries.remove(id);
    }

    private Path file(String id) {
        return dir.outbox().resolve(FileNames.escape(id) + ".json");
    }
}
