package org.enjambre.worker;

import org.enjambre.worker.protocol.Backoff;
import org.enjambre.worker.protocol.CoordinatorClient;
import org.enjambre.worker.protocol.CoordinatorException;
import org.enjambre.worker.protocol.FileUploads;
import org.enjambre.worker.protocol.ReportAck;
import org.enjambre.worker.protocol.ReportItem;
import org.enjambre.worker.protocol.RequestRejectedException;
import org.enjambre.worker.store.Identity;
import org.enjambre.worker.store.OutboxEntry;
import org.enjambre.worker.store.TaskJournal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reports finished results in batches. A batch closes when {@link #BATCH_COUNT} results wait, or
 * {@link #BATCH_BYTES}, or the oldest waiting result has waited the report delay, or the worker stops.
 * Before a batch is sent, every result finished since the last commit is made durable in one group
 * commit ({@link TaskJournal#commit}: one fsync); only durable results are ever sent. {@link #SENDERS}
 * threads send, so several reports may be in flight; each backs off on its own and the client fails
 * over between coordinator URLs. Acknowledged (or finally refused) results are forgotten lazily.
 *
 * <p>Thread-safe: task threads call {@link #signal}; the lifecycle calls {@link #finish}. Over 300 lines
 * because batching and sending share one lock, the in-flight count and the final flush; a
 * {@code ReportQueue} holding {@code unsent}/{@code waitingSince} would be the split.
 */
final class Reporter {
    private static final Logger LOG = Logger.getLogger(Worker.class.getName());
    /** Results per report request, and their total size. */
    static final int BATCH_COUNT = 256;
    static final long BATCH_BYTES = 4L << 20;
    /** Report requests in flight at once. */
    static final int SENDERS = 2;

    private final WorkerOptions options;
    private final Session session;
    private final CoordinatorClient client;
    private final TaskJournal journal;
    private final Status status;
    private final Credit credit;
    private final LongSupplier ticker;
    private final Random random;
    private final FileUploads uploads;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final CountDownLatch firstFlush = new CountDownLatch(1);
    /** Durable results neither in flight nor acknowledged, oldest first. */
    private final Map<String, OutboxEntry> unsent = new LinkedHashMap<>();
    private final List<Thread> senders = new ArrayList<>();
    private int inFlight;
    /** When the oldest result not yet sent began to wait (ticker), or -1 when none waits. */
    private long waitingSince = -1;
    /** Results signalled since a sender was last woken for them (see {@link #signal}). */
    private int signalsSinceWake;
    private boolean finalFlush;
    private long finalDeadline;

    Reporter(WorkerOptions options, Session session, CoordinatorClient client, TaskJournal journal, Status status,
             Credit credit, LongSupplier ticker, Random random) {
        this.options = options;
        this.session = session;
        this.client = client;
        this.journal = journal;
        this.status = status;
        this.credit = credit;
        this.ticker = ticker;
        this.random = random;
        this.uploads = new FileUploads(client, Worker.REQUEST_TIMEOUT.multipliedBy(4));
        journal.committed().forEach(e -> unsent.put(e.id(), e));
        if (!unsent.isEmpty()) {
            waitingSince = ticker.getAsLong() - options.reportDelay().toNanos(); // due at once
        }
    }

    void start() {
        for (int i = 0; i < SENDERS; i++) {
            Thread thread = new Thread(this::sendLoop, "enjambre-worker-report-" + i);
            thread.setDaemon(true);
            senders.add(thread);
            thread.start();
        }
    }

    /**
     * A result was finished (or is already there for a fetched task): a batch may be due. Wakes a sender only when
     * that can change what it does: the first result waiting (its delay starts) or a whole batch's count of results
     * since the last wake; otherwise a sender wakes by itself when the oldest result's delay is up. (Waking one per
     * result cost a thread switch per task.)
     */
    void signal() {
        lock.lock();
        try {
            if (waitingSince < 0) {
                waitingSince = ticker.getAsLong();
            } else if (++signalsSinceWake < BATCH_COUNT) {
                return;
            }
            signalsSinceWake = 0;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the results a previous run left were offered to a coordinator once (or {@code timeout}). */
    void awaitFirstFlush(Duration timeout) throws InterruptedException {
        firstFlush.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Commits and reports everything left, until {@code deadlineNanos} (ticker); returns whether all senders ended in time. */
    boolean finish(long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            finalFlush = true;
            finalDeadline = deadlineNanos;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        boolean clean = true;
        for (Thread sender : senders) {
            long millis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - ticker.getAsLong());
            if (millis > 0) {
                sender.join(millis);
            }
            clean &= !sender.isAlive();
        }
        return clean;
    }

    /** Stops the senders at once (kill -9 as far as reporting goes). */
    void interrupt() {
        senders.forEach(Thread::interrupt);
    }

    private void sendLoop() {
        Backoff backoff = new Backoff(options.backoffMin(), options.backoffMax(), random);
        try {
            List<OutboxEntry> batch;
            while ((batch = nextBatch()) != null) {
                Duration wait = send(batch, backoff);
                if (!wait.isZero()) {
                    if (isFinal()) {
                        return; // one last round only: what is left is reported on the next start
                    }
                    pauseUnlessFinal(wait);
                }
            }
        } catch (InterruptedException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "a report sender failed; results stay in the journal for the next start", e);
            status.problem("report loop failed: " + e);
        } finally {
            firstFlush.countDown();
        }
    }

    /**
     * The next batch to send, once one is due, after a group commit of what finished meanwhile; {@code null}
     * when the worker stops and nothing is left (or its final deadline passed).
     */
    private List<OutboxEntry> nextBatch() throws InterruptedException {
        while (true) {
            boolean commit;
            lock.lock();
            try {
                while (true) {
                    long now = ticker.getAsLong();
                    if (finalFlush && now - finalDeadline >= 0) {
                        return null;
                    }
                    int waiting = unsent.size() + journal.uncommitted();
                    if (waiting == 0) {
                        waitingSince = -1;
                        if (inFlight == 0) {
                            firstFlush.countDown();
                        }
                        if (finalFlush && inFlight == 0) {
                            return null;
                        }
                        changed.await(finalFlush ? 50 : 1000, TimeUnit.MILLISECONDS);
                        continue;
                    }
                    if (waitingSince < 0) {
                        waitingSince = now;
                    }
                    long due = waitingSince + options.reportDelay().toNanos() - now;
                    if (finalFlush || waiting >= BATCH_COUNT || due <= 0) {
                        commit = journal.uncommitted() > 0;
                        if (!commit) {
                            return take();
                        }
                        break;
                    }
                    changed.awaitNanos(due);
                }
            } finally {
                lock.unlock();
            }
            try {
                List<OutboxEntry> committed = journal.commit();
                lock.lock();
                try {
                    committed.forEach(e -> unsent.put(e.id(), e));
                    if (!unsent.isEmpty()) {
                        return take();
                    }
                } finally {
                    lock.unlock();
                }
            } catch (IOException e) {
                LOG.warning("could not commit finished results to the data directory (" + e.getMessage()
                        + "); they are not reported until they are durable");
                status.problem("data directory not writable: " + e.getMessage());
                pauseUnlessFinal(options.backoffMin());
            }
        }
    }

    /** Takes a batch off {@link #unsent}; called holding the lock. */
    private List<OutboxEntry> take() {
        List<OutboxEntry> batch = new ArrayList<>();
        long bytes = 0;
        for (Iterator<OutboxEntry> it = unsent.values().iterator(); it.hasNext() && batch.size() < BATCH_COUNT; ) {
            OutboxEntry entry = it.next();
            long size = entry.error() != null ? 256 : reportedBytes(entry.output().length);
            if (!batch.isEmpty() && bytes + size > BATCH_BYTES) {
                break;
            }
            batch.add(entry);
            bytes += size;
            it.remove();
        }
        inFlight++;
        signalsSinceWake = 0;
        waitingSince = unsent.isEmpty() && journal.uncommitted() == 0 ? -1 : ticker.getAsLong();
        if (!unsent.isEmpty()) {
            changed.signal(); // another sender may take the next batch now
        }
        return batch;
    }

    /** The bytes an output takes in a report body: its base64, or a file id when it is uploaded as a file. */
    private long reportedBytes(int outputBytes) {
        CoordinatorClient.OutputFiles files = client.outputFiles();
        return files != null && outputBytes > files.thresholdBytes() ? 160 : outputBytes * 4L / 3 + 64;
    }

    /** Reports one batch; returns how long this sender should wait before its next. */
    private Duration send(List<OutboxEntry> batch, Backoff backoff) throws InterruptedException {
        List<OutboxEntry> retry = new ArrayList<>();
        Duration wait = Duration.ZERO;
        Identity identity = null;
        try {
            identity = session.identity();
            int resolved = report(identity, batch, retry);
            status.succeeded(backoff, client);
            credit.refresh(identity);
            if (resolved == 0) {
                wait = options.backoffMin(); // the coordinator acknowledged none of them: do not spin
            }
        } catch (CoordinatorException e) {
            retry = batch;
            wait = status.failed(backoff, e, identity, session, client);
        } finally {
            lock.lock();
            try {
                inFlight--;
                if (!retry.isEmpty()) {
                    // Back in front, in their order: they are the oldest.
                    Map<String, OutboxEntry> again = new LinkedHashMap<>();
                    retry.forEach(e -> again.put(e.id(), e));
                    again.putAll(unsent);
                    unsent.clear();
                    unsent.putAll(again);
                    if (waitingSince < 0) {
                        waitingSince = ticker.getAsLong();
                    }
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
        firstFlush.countDown();
        return wait;
    }

    /** Reports {@code batch}; adds to {@code retry} what stays to report; returns how many results were resolved. */
    private int report(Identity identity, List<OutboxEntry> taken, List<OutboxEntry> retry)
            throws CoordinatorException, InterruptedException {
        List<ReportItem> items = new ArrayList<>(taken.size());
        List<OutboxEntry> batch = new ArrayList<>(taken.size());
        for (OutboxEntry e : taken) {
            try {
                items.add(item(identity, e));
                batch.add(e);
            } catch (RequestRejectedException r) {
                // Its output file was refused (a 4xx): it stays in the journal and is tried again; the others go on.
                LOG.warning("uploading the output of task " + e.id() + " was refused; it stays for a later try: " + r.getMessage());
                retry.add(e);
            }
        }
        if (batch.isEmpty()) {
            return 0;
        }
        ReportAck ack;
        try {
            ack = client.report(identity.token(), items, timeout());
        } catch (RequestRejectedException e) {
            if (batch.size() > 1) {
                // One bad entry must not block the others: report them one by one.
                int resolved = 0;
                for (OutboxEntry entry : batch) {
                    resolved += report(identity, List.of(entry), retry);
                }
                return resolved;
            }
            LOG.warning("the coordinator refused the report of task " + batch.get(0).id() + " for good: " + e.getMessage());
            journal.forget(List.of(batch.get(0).id()));
            flushForgets();
            status.rejected.incrementAndGet();
            return 1;
        }
        Set<String> sent = new HashSet<>();
        batch.forEach(e -> sent.add(e.id()));
        List<String> forget = new ArrayList<>();
        for (String id : ack.accepted()) {
            if (sent.remove(id)) {
                forget.add(id);
                status.reported.incrementAndGet();
            }
        }
        for (ReportAck.Rejection rejection : ack.rejected()) {
            if (rejection.isFinal() && sent.remove(rejection.id())) {
                LOG.warning("the coordinator rejected the result of task " + rejection.id() + ": " + rejection.code()
                        + (rejection.message() == null ? "" : " " + rejection.message()));
                forget.add(rejection.id());
                status.rejected.incrementAndGet();
            }
        }
        journal.forget(forget);
        flushForgets();
        batch.stream().filter(e -> sent.contains(e.id())).forEach(retry::add);
        return forget.size();
    }

    /**
     * The report entry of a result: an output larger than the coordinators' threshold is uploaded as a file first (only
     * its missing chunks; again before every report, so a file lost meanwhile is sent again) and named by its id. The
     * journal keeps the output until it is acknowledged, so a restart uploads and reports the same bytes.
     */
    private ReportItem item(Identity identity, OutboxEntry e) throws CoordinatorException, InterruptedException {
        CoordinatorClient.OutputFiles files = client.outputFiles();
        byte[] output = e.output();
        if (output == null || files == null || output.length <= files.thresholdBytes()) {
            return new ReportItem(e.id(), output, e.error());
        }
        return new ReportItem(e.id(), null, null, uploads.upload(identity.token(), output, files.chunkBytes()));
    }

    /** Writes the acknowledgements to the journal (no fsync: losing them costs only a repeated report). */
    private void flushForgets() {
        try {
            journal.flush();
        } catch (IOException e) {
            LOG.fine(() -> "could not note acknowledged results in the journal yet: " + e.getMessage());
        }
    }

    private boolean isFinal() {
        lock.lock();
        try {
            return finalFlush;
        } finally {
            lock.unlock();
        }
    }

    private Duration timeout() {
        lock.lock();
        try {
            if (finalFlush) {
                return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(200), finalDeadline - ticker.getAsLong()));
            }
        } finally {
            lock.unlock();
        }
        return Worker.REQUEST_TIMEOUT;
    }

    /**
     * Sleeps {@code wait} unless the final report round begins. Results that finish meanwhile are still
     * committed when their report delay is up (durable during an outage), just not sent.
     */
    private void pauseUnlessFinal(Duration wait) throws InterruptedException {
        long end = ticker.getAsLong() + wait.toNanos();
        while (true) {
            boolean commit;
            lock.lock();
            try {
                long now = ticker.getAsLong();
                if (finalFlush || end - now <= 0) {
                    return;
                }
                boolean finished = journal.uncommitted() > 0;
                long due = !finished || waitingSince < 0 ? Long.MAX_VALUE : waitingSince + options.reportDelay().toNanos() - now;
                commit = due <= 0;
                if (!commit) {
                    changed.awaitNanos(Math.min(end - now, due));
                    continue;
                }
            } finally {
                lock.unlock();
            }
            try {
                List<OutboxEntry> committed = journal.commit();
                lock.lock();
                try {
                    committed.forEach(e -> unsent.put(e.id(), e));
                } finally {
                    lock.unlock();
                }
            } catch (IOException e) {
                LOG.fine(() -> "could not commit finished results yet: " + e.getMessage());
                return;
            }
        }
    }
}
