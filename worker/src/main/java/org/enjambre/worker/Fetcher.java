package org.enjambre.worker;

import org.enjambre.worker.buffer.WorkBuffer;
import org.enjambre.worker.exec.IdleMonitor;
import org.enjambre.worker.exec.TaskExecutor;
import org.enjambre.worker.protocol.AssignedTask;
import org.enjambre.worker.protocol.Backoff;
import org.enjambre.worker.protocol.CoordinatorClient;
import org.enjambre.worker.protocol.CoordinatorException;
import org.enjambre.worker.protocol.CoordinatorUnavailableException;
import org.enjambre.worker.protocol.RequestRejectedException;
import org.enjambre.worker.store.Identity;
import org.enjambre.worker.store.OutboxEntry;
import org.enjambre.worker.store.StoredTask;
import org.enjambre.worker.store.TaskJournal;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The fetch loop: keeps the {@link WorkBuffer} filled, journals each fetched batch (one record, one
 * fsync) before any of it runs, drops queued tasks that cannot meet their deadline, and tells the
 * coordinator what it holds ({@code POST /api/v1/work/sync}) at start, after dropping, and after a request
 * that got no answer, so that replicas this worker lost (a crash between a fetch's answer and its journal
 * write, an answer lost on the way) or dropped are reissued at once instead of at their deadline. One thread; sync and fetch never overlap.
 */
final class Fetcher implements Runnable {
    private static final Logger LOG = Logger.getLogger(Worker.class.getName());
    private static final Duration IDLE_RECHECK = Duration.ofSeconds(1);
    private static final Duration DEADLINE_CHECK = Duration.ofSeconds(1);

    private final WorkerOptions options;
    private final Session session;
    private final CoordinatorClient client;
    private final TaskJournal journal;
    private final TaskExecutor executor;
    private final WorkBuffer buffer;
    private final IdleMonitor idle;
    private final Status status;
    private final Reporter reporter;
    private final Clock clock;
    private final Random random;
    private final Object wake = new Object();
    private boolean woken;
    private boolean syncPending = true;
    private boolean syncUnsupported;
    private List<StoredTask> recovered;
    private final LongSupplier ticker;
    private boolean checkedDeadlines;
    private long lastDeadlineCheck;
    /** File ids the worker's cache holds whole, newest first: named in each fetch (locality scheduling). */
    private final java.util.function.Supplier<List<String>> cachedFiles;

    Fetcher(WorkerOptions options, Session session, CoordinatorClient client, TaskJournal journal, TaskExecutor executor,
            WorkBuffer buffer, IdleMonitor idle, Status status, Reporter reporter, Clock clock,
            LongSupplier ticker, Random random, List<StoredTask> recovered, java.util.function.Supplier<List<String>> cachedFiles) {
        this.options = options;
        this.session = session;
        this.client = client;
        this.journal = journal;
        this.executor = executor;
        this.buffer = buffer;
        this.idle = idle;
        this.status = status;
        this.reporter = reporter;
        this.clock = clock;
        this.ticker = ticker;
        this.random = random;
        this.recovered = recovered;
        this.cachedFiles = cachedFiles;
    }

    /** A task left the buffer: there may be room to fetch. */
    void wake() {
        synchronized (wake) {
            woken = true;
            wake.notifyAll();
        }
    }

    @Override
    public void run() {
        Backoff backoff = new Backoff(options.backoffMin(), options.backoffMax(), random);
        Backoff diskBackoff = new Backoff(options.backoffMin(), options.backoffMax(), random);
        try {
            // Report what the previous run finished before taking on anything new.
            reporter.awaitFirstFlush(Worker.REQUEST_TIMEOUT.multipliedBy(2));
            for (StoredTask task : recovered) {
                buffer.add(task.task());
                executor.submit(task);
            }
            recovered = List.of();
            while (!status.stopping()) {
                if (idle != null && !idle.machineIdle()) {
                    status.set(Worker.State.PAUSED);
                    status.pause(IDLE_RECHECK);
                    continue;
                }
                dropLateTasks();
                int wanted = syncPending ? 0 : buffer.toFetch();
                if (!syncPending && wanted == 0) {
                    awaitWake(IDLE_RECHECK);
                    continue;
                }
                Identity identity = null;
                try {
                    identity = session.identity();
                    if (syncPending) {
                        sync(identity);
                        continue;
                    }
                    List<AssignedTask> fetched = client.fetch(identity.token(), wanted, options.fetchWait(), cachedFiles.get());
                    status.succeeded(backoff, client);
                    if (accept(fetched, identity)) {
                        diskBackoff.success();
                    } else {
                        // Not journaled, so released by the sync that comes next; do not fetch again at once
                        // into a disk that is still full.
                        status.pause(diskBackoff.failure(1));
                    }
                } catch (CoordinatorException e) {
                    if (e instanceof CoordinatorUnavailableException && e.getCause() != null && !syncUnsupported) {
                        // No answer came (a timeout, a dropped connection): the coordinator may have issued tasks this
                        // worker never received. Sync before fetching again, so they are reissued at once, not at
                        // their deadline (issue 15: nothing waits for a deadline because an answer was lost).
                        syncPending = true;
                    }
                    status.pause(status.failed(backoff, e, identity, session, client));
                }
            }
        } catch (InterruptedException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "the fetch loop failed; this worker fetches no more work", e);
            status.problem("fetch loop failed: " + e);
        }
    }

    /**
     * Drops the queued tasks that cannot finish before their deadline; the next sync releases them.
     * At most once per {@link #DEADLINE_CHECK} (the check sorts the buffer), and after each accepted batch.
     */
    private void dropLateTasks() {
        long now = ticker.getAsLong();
        if (checkedDeadlines && now - lastDeadlineCheck < DEADLINE_CHECK.toNanos()) {
            return;
        }
        checkedDeadlines = true;
        lastDeadlineCheck = now;
        for (String id : buffer.cannotMeetDeadline()) {
            if (executor.dropQueued(id)) {
                syncPending |= !syncUnsupported;
            }
        }
    }

    /**
     * Tells the coordinator every task this worker holds (at most {@link CoordinatorClient#MAX_SYNC_IDS}:
     * held tasks first, then the newest results); it releases the rest of this worker's replicas.
     */
    private void sync(Identity identity) throws CoordinatorException, InterruptedException {
        Set<String> holding = new LinkedHashSet<>();
        journal.tasks().forEach(t -> holding.add(t.id()));
        List<OutboxEntry> results = journal.committed();
        for (int i = results.size() - 1; i >= 0; i--) {
            holding.add(results.get(i).id());
        }
        holding.addAll(journal.ids());
        List<String> ids = new ArrayList<>(holding).subList(0, Math.min(holding.size(), CoordinatorClient.MAX_SYNC_IDS));
        try {
            int released = client.sync(identity.token(), ids);
            if (released > 0) {
                LOG.info("the coordinator released " + released + " task(s) this worker no longer holds");
            }
        } catch (RequestRejectedException e) {
            if (e.status() == 404) {
                LOG.fine("the coordinator has no work/sync endpoint (an older release); going on without it");
            } else {
                LOG.warning("the coordinator refused this worker's sync: " + e.getMessage());
            }
            syncUnsupported = true;
        }
        syncPending = false;
    }

    /**
     * Journals the new tasks of a fetched batch in one record, then queues them; returns false when the journal could
     * not take them (a full disk): then none of them runs, and the next sync tells the coordinator they are not held.
     */
    private boolean accept(List<AssignedTask> fetched, Identity identity) {
        List<StoredTask> fresh = new ArrayList<>();
        List<OutboxEntry> malformed = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (AssignedTask task : fetched) {
            String problem = task.problem();
            if (problem != null) {
                LOG.warning("ignoring a malformed task from " + client.current() + ": " + problem);
                if (task.id() != null && !task.id().isBlank()) {
                    malformed.add(OutboxEntry.error(task.id(), "malformed task: " + problem, clock.millis()));
                }
            } else if (journal.result(task.id()).isEmpty() && !journal.holds(task.id()) && !executor.isRunning(task.id())
                    && seen.add(task.id())) {
                fresh.add(new StoredTask(task, identity.workerId(), clock.millis()));
            }
        }
        malformed.forEach(journal::finish);
        if (!malformed.isEmpty() || fresh.size() < fetched.size()) {
            reporter.signal(); // already finished ones: their stored result is the answer
        }
        if (fresh.isEmpty()) {
            return true;
        }
        try {
            journal.accept(fresh);
        } catch (IOException e) {
            LOG.severe("cannot journal " + fresh.size() + " fetched task(s) in the data directory, so they do not run"
                    + " and are given back: " + e.getMessage());
            status.problem("data directory not writable: " + e.getMessage());
            syncPending = !syncUnsupported;
            return false;
        }
        for (StoredTask task : fresh) {
            buffer.add(task.task());
            executor.submit(task);
        }
        checkedDeadlines = false; // check the new ones at once
        return true;
    }

    private void awaitWake(Duration timeout) throws InterruptedException {
        synchronized (wake) {
            if (!woken) {
                wake.wait(timeout.toMillis());
            }
            woken = false;
        }
    }
}
