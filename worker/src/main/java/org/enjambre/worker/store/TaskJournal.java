package org.enjambre.worker.store;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The worker's durable memory of its work, one append-only file ({@code journal} in the data
 * directory): the tasks it accepted and has not finished, and the finished results no coordinator
 * has acknowledged yet (the outbox). Replaces one file per task and per result, each written with
 * its own fsync, by group commits:
 * <ul>
 *   <li>{@link #accept}: a fetched batch is one record, written with one fsync before any of it runs;</li>
 *   <li>{@link #finish}: a result is kept in memory, not yet durable and never reported;</li>
 *   <li>{@link #commit}: every result finished since the last commit is written with one fsync and
 *       only then becomes reportable ({@link #committed});</li>
 *   <li>{@link #forget}: an acknowledged result (or a dropped task) is forgotten lazily, written with
 *       the next record; the file is compacted (rewritten atomically) when mostly forgotten.</li>
 * </ul>
 *
 * <p>Invariants: a task id has at most one result here, the first one finished (a later different
 * one is refused); a result is reportable only once durable; a task stays durable until its result
 * is. So after any crash a task either has its one durable result (reported as it was) or is
 * resumed and computed again — and its earlier result, never durable, was never reported.
 * A record cut short by a crash is ignored as a whole on the next open (see {@link JournalFile}).
 *
 * <p>Thread-safe: the fetcher, task threads and report senders share it. Lock order: {@code writeLock}
 * (held during writes and fsyncs) before {@code this} (held only for memory); over 300 lines because
 * that ordering is only checkable with every write path in one class.
 */
public final class TaskJournal implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TaskJournal.class.getName());
    static final String FILE = "journal";
    /** Compaction starts when the file is at least this long and mostly forgotten records. */
    static final long COMPACT_BYTES = 4L << 20;
    /** Largest record a compaction writes (a batch of many big tasks is split). */
    static final long MAX_SNAPSHOT_RECORD = 8L << 20;

    /** One record of the file: tasks accepted, results committed, ids forgotten, applied in that order. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Batch(List<StoredTask> tasks, List<OutboxEntry> results, List<String> forget) {
        Batch {
            tasks = tasks == null ? List.of() : tasks;
            results = results == null ? List.of() : results;
            forget = forget == null ? List.of() : forget;
        }
    }

    private final DataDir dir;
    private final JournalFile file;
    /** Durable tasks whose result is not durable yet (their result may be in {@link #uncommitted}). */
    private final Map<String, StoredTask> tasks = new LinkedHashMap<>();
    /** Durable results not forgotten, oldest first: what is reported. */
    private final Map<String, OutboxEntry> results = new LinkedHashMap<>();
    /** Results finished since the last commit: not durable, not reportable. */
    private final Map<String, OutboxEntry> uncommitted = new LinkedHashMap<>();
    /** Results being written by a commit now: not durable yet, but no longer waiting for a commit. */
    private final Map<String, OutboxEntry> committing = new LinkedHashMap<>();
    /** Serializes writes to the file; taken before {@code this}, and held during fsyncs, which {@code this} never is. */
    private final Object writeLock = new Object();
    private final List<String> pendingForgets = new ArrayList<>();
    private long recordsInFile;
    private boolean closed;

    private TaskJournal(DataDir dir, JournalFile file) {
        this.dir = dir;
        this.file = file;
    }

    /** The journal of {@code dir}, with what a previous run left (and the old one-file-per-task layout imported). */
    public static TaskJournal open(DataDir dir) throws IOException {
        return open(dir, JournalFile.Sync.FSYNC);
    }

    static TaskJournal open(DataDir dir, JournalFile.Sync sync) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        JournalFile file = JournalFile.open(dir.root().resolve(FILE), sync, frames);
        TaskJournal journal = new TaskJournal(dir, file);
        for (byte[] frame : frames) {
            try {
                journal.apply(StoreJson.MAPPER.readValue(frame, Batch.class));
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "skipping an unreadable journal record (" + e.getMessage() + ")");
            }
        }
        LegacyLayout.importInto(dir, journal);
        return journal;
    }

    /** What a journal holds, as ids: the tasks held and the durable results not forgotten. */
    public record Contents(List<String> tasks, List<String> results) {
    }

    /**
     * Reads the journal of the data directory at {@code root} without opening or locking it (a worker may
     * be running on it): for tests and tools. A torn last record is skipped, as {@link #open} would.
     */
    public static Contents read(java.nio.file.Path root) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        JournalFile.read(root.resolve(FILE), frames);
        TaskJournal view = new TaskJournal(null, null);
        for (byte[] frame : frames) {
            view.apply(StoreJson.MAPPER.readValue(frame, Batch.class));
        }
        return new Contents(view.tasks().stream().map(StoredTask::id).toList(), List.copyOf(view.results.keySet()));
    }

    private void apply(Batch batch) {
        for (StoredTask task : batch.tasks()) {
            String problem = task.task().problem();
            if (problem != null) {
                LOG.warning("ignoring a journaled task that cannot run: " + problem);
            } else if (!results.containsKey(task.id())) {
                tasks.put(task.id(), task);
            }
            recordsInFile++;
        }
        for (OutboxEntry result : batch.results()) {
            tasks.remove(result.id());
            results.putIfAbsent(result.id(), result);
            recordsInFile++;
        }
        for (String id : batch.forget()) {
            tasks.remove(id);
            results.remove(id);
        }
    }

    /** Writes {@code batch} of fetched tasks as one record with one fsync; they may run once this returns. */
    public void accept(List<StoredTask> batch) throws IOException {
        synchronized (writeLock) {
            List<String> forgets;
            synchronized (this) {
                forgets = drainForgets();
            }
            try {
                write(new Batch(List.copyOf(batch), List.of(), forgets), true);
            } catch (IOException | RuntimeException e) {
                restoreForgets(forgets);
                throw e;
            }
            synchronized (this) {
                batch.forEach(t -> tasks.put(t.id(), t));
            }
        }
    }

    /**
     * Records that a task finished with {@code entry}, in memory only until the next {@link #commit}.
     * Returns the result that stands for the task: an earlier one if there is one, else {@code entry}.
     */
    public synchronized OutboxEntry finish(OutboxEntry entry) {
        OutboxEntry existing = result(entry.id()).orElse(null);
        if (existing != null) {
            if (!existing.sameResult(entry)) {
                LOG.warning("task " + entry.id() + " already has a result; keeping it, not the new different one");
            }
            return existing;
        }
        uncommitted.put(entry.id(), entry);
        return entry;
    }

    /**
     * Makes every result finished since the last commit durable, with one write and one fsync (the
     * lazily forgotten ids ride along); returns them, oldest first. Nothing to write, nothing written.
     */
    public List<OutboxEntry> commit() throws IOException {
        synchronized (writeLock) {
            List<OutboxEntry> batch;
            List<String> forgets;
            synchronized (this) {
                if (uncommitted.isEmpty()) {
                    return List.of();
                }
                batch = List.copyOf(uncommitted.values());
                committing.putAll(uncommitted);
                uncommitted.clear();
                forgets = drainForgets();
            }
            try {
                write(new Batch(List.of(), batch, forgets), true);
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    batch.forEach(r -> uncommitted.putIfAbsent(r.id(), r));
                    committing.clear();
                }
                restoreForgets(forgets);
                throw e;
            }
            synchronized (this) {
                committing.clear();
                for (OutboxEntry entry : batch) {
                    tasks.remove(entry.id());
                    results.put(entry.id(), entry);
                }
                compactIfWorthIt();
            }
            return batch;
        }
    }

    /** Forgets tasks and results (acknowledged, refused for good, or dropped); durable with the next record. */
    public synchronized void forget(Collection<String> ids) {
        for (String id : ids) {
            boolean known = tasks.remove(id) != null;
            known |= results.remove(id) != null;
            known |= uncommitted.remove(id) != null;
            known |= committing.remove(id) != null;
            if (known) {
                pendingForgets.add(id);
            }
        }
    }

    /** Writes the ids forgotten since the last record now, without fsync (losing them costs only a repeated report or a dropped task seen again). */
    public void flush() throws IOException {
        synchronized (writeLock) {
            List<String> forgets;
            synchronized (this) {
                forgets = drainForgets();
            }
            if (forgets.isEmpty()) {
                return;
            }
            try {
                write(new Batch(List.of(), List.of(), forgets), false);
            } catch (IOException | RuntimeException e) {
                restoreForgets(forgets);
                throw e;
            }
        }
    }

    /** Whether task {@code id} is held: accepted, durable, and without a result. */
    public synchronized boolean holds(String id) {
        return tasks.containsKey(id) && !uncommitted.containsKey(id) && !committing.containsKey(id);
    }

    /** The held tasks (see {@link #holds}), oldest accepted first: after a restart, what to resume. */
    public synchronized List<StoredTask> tasks() {
        List<StoredTask> held = new ArrayList<>();
        tasks.values().stream().filter(t -> holds(t.id())).forEach(held::add);
        held.sort(Comparator.comparingLong(StoredTask::acceptedAtMillis));
        return held;
    }

    /** The result of task {@code id}, durable or not yet. */
    public synchronized Optional<OutboxEntry> result(String id) {
        OutboxEntry entry = results.get(id);
        if (entry == null) {
            entry = committing.get(id);
        }
        return Optional.ofNullable(entry != null ? entry : uncommitted.get(id));
    }

    /** The durable results not forgotten yet, oldest first: what may be reported. */
    public synchronized List<OutboxEntry> committed() {
        return List.copyOf(results.values());
    }

    /** Results waiting for acknowledgement, durable or not yet. */
    public synchronized int results() {
        return results.size() + uncommitted.size() + committing.size();
    }

    /** Results finished since the last commit. */
    public synchronized int uncommitted() {
        return uncommitted.size();
    }

    /** Every task id this worker holds a task or a result for. */
    public synchronized Set<String> ids() {
        Set<String> ids = new HashSet<>(tasks.keySet());
        ids.addAll(results.keySet());
        ids.addAll(uncommitted.keySet());
        ids.addAll(committing.keySet());
        return ids;
    }

    /** How many times the journal was forced to disk since it was opened. */
    public long syncs() {
        synchronized (writeLock) {
            return file.syncs();
        }
    }

    /** Writes the forgotten ids still pending (without fsync: losing them costs a repeated report) and closes. */
    @Override
    public void close() throws IOException {
        synchronized (writeLock) {
            synchronized (this) {
                if (closed) {
                    return;
                }
            }
            try {
                if (dir.isOpen()) {
                    flush();
                }
            } finally {
                synchronized (this) {
                    closed = true;
                }
                file.close();
            }
        }
    }

    /** Closes without writing anything more, as {@code kill -9} would (waits for a write under way). */
    public void abandon() {
        synchronized (writeLock) {
            synchronized (this) {
                closed = true;
            }
            try {
                file.close();
            } catch (IOException e) {
                // nothing more is written anyway
            }
        }
    }

    /** Appends one record; the caller holds {@link #writeLock}, not {@code this}. */
    private void write(Batch batch, boolean durable) throws IOException {
        dir.ensureOpen();
        synchronized (this) {
            if (closed) {
                throw new IOException("the task journal is closed");
            }
        }
        file.append(JournalJson.write(batch), durable);
        synchronized (this) {
            recordsInFile += batch.tasks().size() + batch.results().size();
        }
    }

    private synchronized void restoreForgets(List<String> forgets) {
        pendingForgets.addAll(0, forgets);
    }

    private List<String> drainForgets() {
        List<String> ids = List.copyOf(pendingForgets);
        pendingForgets.clear();
        return ids;
    }

    /**
     * Rewrites the file with only what is live when it is long and mostly dead; called holding both locks. A rewrite
     * that fails (a full disk) changes nothing: the commit that called it stands, and a later commit tries again.
     */
    private void compactIfWorthIt() {
        long live = tasks.size() + results.size();
        if (file.size() < COMPACT_BYTES || recordsInFile < 2 * live) {
            return;
        }
        long before = file.size();
        try {
            List<byte[]> payloads = new ArrayList<>();
            for (List<StoredTask> chunk : JournalFile.chunks(List.copyOf(tasks.values()), TaskJournal::sizeOf, MAX_SNAPSHOT_RECORD)) {
                payloads.add(JournalJson.write(new Batch(chunk, List.of(), List.of())));
            }
            for (List<OutboxEntry> chunk : JournalFile.chunks(List.copyOf(results.values()), TaskJournal::sizeOf, MAX_SNAPSHOT_RECORD)) {
                payloads.add(JournalJson.write(new Batch(List.of(), chunk, List.of())));
            }
            file.rewrite(payloads);
        } catch (IOException e) {
            LOG.warning("could not compact the task journal (" + e.getMessage() + "); it stays as it is and grows until a later try");
            return;
        }
        pendingForgets.clear(); // the rewritten file holds only what is live
        recordsInFile = live;
        LOG.fine(() -> "compacted the task journal from " + before + " to " + file.size() + " bytes");
    }

    private static long sizeOf(StoredTask task) {
        return (task.task().input() == null ? 0 : task.task().input().length * 4L / 3) + 256;
    }

    private static long sizeOf(OutboxEntry entry) {
        return (entry.output() == null ? 0 : entry.output().length * 4L / 3) + 256;
    }
}
