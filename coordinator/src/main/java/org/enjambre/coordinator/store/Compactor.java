package org.enjambre.coordinator.store;

import org.enjambre.workunits.model.WorkUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The embedded store's write path: the committer {@link #append}s each group to the {@link UnitJournal}
 * (one fsync), and this compactor later applies what was journaled to the tables off the hot path, newest
 * version per key only, in one large transaction: when the active segment passes {@link Settings#maxBytes}
 * or its oldest record {@link Settings#maxAge}, and at {@link #close}. Then it deletes the applied segments.
 *
 * <p>Invariants: every record in a segment that still exists is, at its version or a newer one, in the
 * {@link #pending} overlay or in the tables; a record leaves the overlay only after a transaction wrote it
 * (or a newer version) and the database was forced to disk; a segment is deleted only after every record
 * in it was so written. Replaying the journal is therefore always safe: the tables never go back to an
 * older version. Locks, in this order: this object's monitor (one compaction at a time), {@link #appendLock}
 * (the journal file), {@link #pending}'s monitor.
 */
final class Compactor {
    private static final Logger LOG = LoggerFactory.getLogger(Compactor.class);
    private static final long NONE = Long.MAX_VALUE;
    /** How long a failed compaction waits before it is tried again. */
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** When the compactor runs, and how the journal creates its files. */
    record Settings(long maxBytes, Duration maxAge, UnitJournal.Opener files) {
        static final Settings DEFAULT = new Settings(16L << 20, Duration.ofSeconds(1), UnitJournal.Opener.PLAIN);
    }

    private final Tables tables;
    private final Settings settings;
    private final LongSupplier ticker;
    private final Object appendLock = new Object();
    private final UnitJournal journal;
    /** Journaled records not yet in the tables: the newest version of each. Guarded by its own monitor. */
    private final Deferred pending = new Deferred();
    /**
     * The table-row bytes of the units journaled since the last compaction began, by identity (the journal encoded
     * each unit once; the compaction writes those bytes instead of encoding it again). Guarded by {@link #pending}'s
     * monitor; swapped for an empty map when a compaction takes its snapshot, so superseded units do not pile up.
     */
    private IdentityHashMap<WorkUnit, byte[]> encoded = new IdentityHashMap<>();
    /**
     * When the oldest record not yet compacted was journaled ({@link #NONE}: none). Written under
     * {@link #appendLock}; volatile (as {@link #activeBytes}) so that {@link #poke} takes no lock.
     */
    private volatile long oldest = NONE;
    /** Bytes in the journal's active segment, as of the last append or roll. */
    private volatile long activeBytes;
    private volatile long retryAfter;
    private volatile boolean failing;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final LinkedBlockingQueue<Boolean> wake = new LinkedBlockingQueue<>();
    private final Thread thread;

    /** Opens the journal in {@code dir}, replays what a crash left in it, and writes that to the tables before returning. */
    Compactor(Path dir, Tables tables, Settings settings, LongSupplier ticker) throws IOException {
        this.tables = tables;
        this.settings = settings;
        this.ticker = ticker;
        this.retryAfter = ticker.getAsLong();
        this.journal = UnitJournal.open(dir, settings.files(), this::replayed);
        if (pending.size() > 0) {
            oldest = ticker.getAsLong();
            LOG.info("replayed {} journaled records", pending.size());
            compact();
        }
        this.thread = new Thread(this::run, "enjambre-store-compactor");
        thread.setDaemon(true);
        thread.start();
    }

    private void replayed(byte[] record) {
        try {
            pending.add(BatchCodec.decode(record), 0);
        } catch (UncheckedIOException e) {
            LOG.error("a journal record with a valid checksum cannot be decoded and is skipped: {}", e.getCause().toString());
        }
    }

    /** Journals one group (newest version per key) durably; once this returns, reads see it. */
    void append(Store.Batch group) throws IOException {
        byte[][] unitBytes = new byte[group.units().size()][];
        byte[] record = BatchCodec.encode(group, unitBytes);
        synchronized (appendLock) {
            journal.append(record);
            activeBytes = journal.size();
            if (oldest == NONE) {
                oldest = ticker.getAsLong();
            }
            synchronized (pending) {
                pending.add(group, 0);
                int i = 0;
                for (WorkUnit u : group.units()) {
                    encoded.put(u, unitBytes[i++]);
                }
            }
        }
    }

    /**
     * Starts a compaction in the background when one is due; called by the committer after every round,
     * so it takes no lock (a compaction rolling the journal must not stall the next group).
     */
    void poke() {
        long now = ticker.getAsLong();
        long since = oldest;
        boolean due = since != NONE && now - retryAfter >= 0
                && (activeBytes >= settings.maxBytes() || now - since >= settings.maxAge().toNanos());
        if (due && scheduled.compareAndSet(false, true)) {
            wake.add(true);
        }
    }

    /** The records of {@code rows} journaled but not compacted yet. */
    <T> List<T> read(Function<Deferred, List<T>> rows) {
        synchronized (pending) {
            return rows.apply(pending);
        }
    }

    /** Starts a new segment when an append failed on the active one; throws when that fails too. */
    void probe() throws IOException {
        synchronized (appendLock) {
            journal.repair();
        }
    }

    private void run() {
        try {
            while (wake.take()) {
                compact();
                scheduled.set(false);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes everything journaled so far to the tables and deletes the segments that held it; false when that failed. */
    synchronized boolean compact() {
        long boundary;
        long since;
        Store.Batch snapshot;
        IdentityHashMap<WorkUnit, byte[]> bytes;
        UnitJournal.Segment next;
        synchronized (appendLock) {
            if (oldest == NONE && journal.records() == 0 && pendingCount() == 0) {
                return true;
            }
        }
        org.enjambre.coordinator.metrics.PathTrace.mark("store: compaction started");
        try {
            next = journal.prepare(); // its fsyncs outside the append lock: the committer keeps appending meanwhile
        } catch (IOException e) {
            return failed(e.toString());
        }
        synchronized (appendLock) {
            synchronized (pending) {
                snapshot = pending.due(0, true);
                bytes = encoded;
                encoded = new IdentityHashMap<>();
            }
            try {
                boundary = journal.roll(next);
            } catch (IOException e) {
                return failed(e.toString());
            }
            since = oldest;
            oldest = NONE;
            activeBytes = journal.size();
        }
        SQLException failure = tables.write(snapshot, true, bytes::get);
        if (failure != null) {
            synchronized (appendLock) {
                oldest = Math.min(oldest, since);
            }
            return failed(failure.getMessage());
        }
        synchronized (pending) {
            pending.written(snapshot);
        }
        try {
            synchronized (appendLock) {
                journal.deleteBefore(boundary);
            }
        } catch (IOException e) {
            LOG.warn("cannot delete compacted journal segments (the next compaction tries again): {}", e.toString());
        }
        if (failing) {
            failing = false;
            LOG.warn("the journal compacts into the database again");
        }
        org.enjambre.coordinator.metrics.PathTrace.mark("store: compaction done");
        return true;
    }

    private int pendingCount() {
        synchronized (pending) {
            return pending.size();
        }
    }

    private boolean failed(String why) {
        retryAfter = ticker.getAsLong() + RETRY_NANOS;
        if (!failing) {
            failing = true;
            LOG.error("compacting the journal into the database failed; the records stay journaled and readable, "
                    + "retrying every second: {}", why);
        }
        return false;
    }

    /**
     * Stops the background compaction; unless {@code crash}, compacts everything left and removes the journal
     * (a stopped peer's database then holds every record), else leaves the journal for the next start to replay.
     */
    void close(boolean crash) {
        wake.add(false);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean tidy = !crash && compact();
        synchronized (appendLock) {
            journal.close(tidy);
        }
    }
}
