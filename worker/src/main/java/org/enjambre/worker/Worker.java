package org.enjambre.worker;

import org.enjambre.worker.exec.CancelReason;
import org.enjambre.worker.exec.IdleMonitor;
import org.enjambre.worker.exec.Saboteur;
import org.enjambre.worker.exec.TaskExecutor;
import org.enjambre.worker.protocol.AssignedTask;
import org.enjambre.worker.protocol.Backoff;
import org.enjambre.worker.protocol.CoordinatorClient;
import org.enjambre.worker.protocol.CoordinatorException;
import org.enjambre.worker.protocol.CoordinatorUnavailableException;
import org.enjambre.worker.protocol.RegisterRequest;
import org.enjambre.worker.protocol.ReportAck;
import org.enjambre.worker.protocol.ReportItem;
import org.enjambre.worker.protocol.RequestRejectedException;
import org.enjambre.worker.protocol.UnauthorizedException;
import org.enjambre.worker.store.BlobStore;
import org.enjambre.worker.store.CheckpointStore;
import org.enjambre.worker.store.DataDir;
import org.enjambre.worker.store.Identity;
import org.enjambre.worker.store.IdentityStore;
import org.enjambre.worker.store.Outbox;
import org.enjambre.worker.store.OutboxEntry;
import org.enjambre.worker.store.StoredTask;
import org.enjambre.worker.store.TaskStore;
import org.enjambre.workunits.app.AppRegistry;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A volunteer worker: registers with a coordinator once (keeping its identity in the data
 * directory), then fetches tasks sized to its free cores, runs them, and reports the results in
 * batches, backing off with jitter and failing over between coordinator URLs while none answers.
 * Usable in-process: {@link #start()}, watch {@link #stats()}, {@link #stop(Duration)}.
 *
 * <p>Durability: a task is written to the data directory before it runs; its result is written to
 * the outbox before it is reported and deleted only once acknowledged. A new worker over the same
 * data directory first reports what the outbox holds, then resumes unfinished tasks from their last
 * checkpoint, dropping those whose deadline passed.
 *
 * <p>Threads: one fetch loop, one report loop, {@code cores} task threads, all daemons.
 * Thread-safe.
 *
 * <p>Size (~760 lines): lifecycle, fetch loop, report loop, blob fetch and host info are still one class; splitting
 * them (fetcher, reporter, blob fetcher) is issue 14 item 1's worker part, not done yet.
 */
public final class Worker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Worker.class.getName());
    /** Timeout of a protocol call other than a fetch's long-poll. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    /** Results per report request, and their total size. */
    static final int REPORT_BATCH = 100;
    static final long REPORT_BATCH_BYTES = 4L << 20;
    private static final Duration CREDIT_REFRESH = Duration.ofSeconds(30);
    private static final Duration CREDIT_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration IDLE_RECHECK = Duration.ofSeconds(1);

    /** What a worker is doing. */
    public enum State { NEW, STARTING, WORKING, BACKING_OFF, PAUSED, STOPPING, STOPPED, FAILED }

    private final WorkerOptions options;
    private final AppRegistry apps;
    private final Clock clock;
    private final Random random = new Random();

    private final AtomicLong done = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong reported = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch firstFlush = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ReentrantLock signalLock = new ReentrantLock();
    private final Condition resultsWaiting = signalLock.newCondition();
    private final Object lifecycle = new Object();

    private volatile State state = State.NEW;
    private volatile boolean stopping;
    private volatile boolean finalFlush;
    private volatile long finalFlushDeadline;
    private volatile String problem;
    private volatile OptionalDouble credit = OptionalDouble.empty();
    private volatile boolean creditUnavailable;
    private long lastCreditRefresh;
    private boolean signalled;

    private DataDir dataDir;
    private TaskStore tasks;
    private CheckpointStore checkpoints;
    private Outbox outbox;
    private BlobStore blobStore;
    private CoordinatorClient client;
    private Session session;
    private IdleMonitor idle;
    private TaskExecutor executor;
    private List<StoredTask> recovered = List.of();
    private Thread fetchThread;
    private Thread reportThread;

    /** A worker with the built-in apps on the system clock. */
    public Worker(WorkerOptions options) {
        this(options, defaultApps(options), Clock.systemUTC());
    }

    /**
     * @param apps  the apps this worker runs (and announces when it registers)
     * @param clock decides when task deadlines have passed; tests pass a fake one
     */
    public Worker(WorkerOptions options, AppRegistry apps, Clock clock) {
        this.options = Objects.requireNonNull(options, "options");
        this.apps = Objects.requireNonNull(apps, "apps");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The built-in apps and the WebAssembly app, whose sandboxes get the options' memory cap. Modules
     * come with each task (downloaded, verified and cached by the worker), so the app's own source is empty.
     */
    public static AppRegistry defaultApps(WorkerOptions options) {
        org.enjambre.workunits.wasm.WasmLimits limits = org.enjambre.workunits.wasm.WasmLimits.defaults()
                .withMaxMemoryBytes(options.maxMemoryMb() * 1024L * 1024L);
        return AppRegistry.builtIns().with(new org.enjambre.workunits.wasm.WasmApp(sha -> java.util.Optional.empty(),
                new org.enjambre.workunits.wasm.WasmRunner(limits)));
    }

    public WorkerOptions options() {
        return options;
    }

    /**
     * Opens and locks the data directory, recovers what a previous run left, and starts the loops.
     *
     * @throws IOException           when the data directory cannot be used (e.g. another worker holds it)
     * @throws IllegalStateException when called twice
     */
    public void start() throws IOException {
        synchronized (lifecycle) {
            if (state != State.NEW) {
                throw new IllegalStateException("a worker starts once; this one is " + state.name().toLowerCase(Locale.ROOT));
            }
            state = State.STARTING;
            if (options.sabotage().enabled()) {
                LOG.warning("!!! SABOTAGE IS ON (TEST ONLY): about " + Math.round(options.sabotage().rate() * 100)
                        + "% of results will be WRONG ON PURPOSE" + (options.sabotage().colluding() ? ", colluding" : "")
                        + ". Never run a real worker like this. !!!");
            }
            try {
                dataDir = DataDir.open(options.dataDir());
            } catch (IOException e) {
                state = State.FAILED;
                stopped.countDown();
                throw e;
            }
            try {
                tasks = new TaskStore(dataDir);
                checkpoints = new CheckpointStore(dataDir);
                outbox = Outbox.open(dataDir);
                blobStore = new BlobStore(dataDir);
                client = new CoordinatorClient(options.coordinators(), REQUEST_TIMEOUT, clock);
                session = new Session(client, new IdentityStore(dataDir), options.coordinators(), this::registerRequest, clock);
                Saboteur saboteur = options.sabotage().enabled()
                        ? new Saboteur(options.sabotage().rate(), options.sabotage().colluding(), random)
                        : Saboteur.none();
                idle = options.idleOnly() ? IdleMonitor.system(() -> executor.busyThreads()) : null;
                executor = TaskExecutor.system(
                        new TaskExecutor.Config(options.cores(), options.cpuLimitPercent(), options.checkpointInterval()),
                        apps, new TaskExecutor.Stores(tasks, checkpoints, outbox), this::blob, saboteur, idle, clock,
                        this::taskFinished);
                recovered = recover();
            } catch (IOException | RuntimeException e) {
                state = State.FAILED;
                closeDataDir();
                stopped.countDown();
                throw e;
            }
            reportThread = daemon(this::reportLoop, "enjambre-worker-report");
            fetchThread = daemon(this::fetchLoop, "enjambre-worker-fetch");
            state = State.WORKING;
            LOG.info("worker " + options.name() + " started: " + options.cores() + " cores"
                    + (options.cpuLimitPercent() < 100 ? " at " + options.cpuLimitPercent() + "% cpu" : "")
                    + (options.idleOnly() ? ", idle-only" : "") + ", coordinators " + options.coordinators()
                    + ", data in " + dataDir.root());
            reportThread.start();
            fetchThread.start();
        }
    }

    /**
     * Stops gracefully: no more fetching, running tasks cancelled (their checkpoints stay), finished
     * results reported once more, data directory released. Returns whether all of it happened within
     * {@code timeout}; what was not reported stays in the outbox for the next start. Idempotent.
     */
    public boolean stop(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lifecycle) {
            if (fetchThread == null) { // never started, or failed to
                state = state == State.FAILED ? State.FAILED : State.STOPPED;
                stopped.countDown();
                return true;
            }
            if (stopping) {
                return awaitStopped(timeout);
            }
            stopping = true;
            state = State.STOPPING;
            stopRequested.countDown();
        }
        boolean clean = true;
        try {
            fetchThread.interrupt();
            executor.shutdown(CancelReason.SHUTDOWN);
            // Tasks stop at their next hook; leave a third of the time for the final report.
            clean = executor.awaitTermination(Duration.ofNanos(Math.max(0, (deadline - System.nanoTime()) * 2 / 3)));
            if (!clean) {
                LOG.warning("some tasks did not stop in time; they resume from their last checkpoint on the next start");
            }
            finalFlushDeadline = deadline;
            finalFlush = true;
            signalResults();
            clean &= join(reportThread, deadline);
            clean &= join(fetchThread, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            clean = false;
        } finally {
            reportThread.interrupt();
            fetchThread.interrupt();
            closeDataDir();
            state = State.STOPPED;
            LOG.info("worker stopped: " + stats().statusLine());
            stopped.countDown();
        }
        return clean;
    }

    /**
     * For tests: stops like {@code kill -9} as far as the data directory is concerned. It is released
     * at once and nothing more is written to it or reported; threads are interrupted.
     */
    public void abort() {
        synchronized (lifecycle) {
            if (state == State.NEW || state == State.STOPPED || state == State.FAILED) {
                state = State.STOPPED;
                stopped.countDown();
                return;
            }
            stopping = true;
            finalFlush = true;
            state = State.STOPPING;
            stopRequested.countDown();
        }
        closeDataDir();
        executor.shutdown(CancelReason.SHUTDOWN);
        fetchThread.interrupt();
        reportThread.interrupt();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            join(fetchThread, deadline);
            join(reportThread, deadline);
            executor.awaitTermination(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        state = State.STOPPED;
        stopped.countDown();
    }

    /** Waits until the worker stopped; returns whether it did within {@code timeout}. */
    public boolean awaitStopped(Duration timeout) {
        try {
            return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops with a five-second budget. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    /** The worker id once registered. */
    public Optional<String> workerId() {
        return session == null ? Optional.empty() : session.current().map(Identity::workerId);
    }

    /** What the worker is doing now. */
    public WorkerStats stats() {
        TaskExecutor exec = executor;
        Outbox box = outbox;
        return new WorkerStats(state, workerId().orElse(null), client == null ? null : client.current(), options.cores(),
                exec == null ? 0 : exec.occupied(), done.get(), failed.get(), dropped.get(), reported.get(), rejected.get(),
                box == null ? 0 : box.size(), credit, problem);
    }

    // ---------------------------------------------------------------- start-up

    /** Sorts out what a previous run left: finished tasks, expired tasks, tasks to resume, stale checkpoints. */
    private List<StoredTask> recover() throws IOException {
        List<StoredTask> resume = new ArrayList<>();
        Set<String> keep = new HashSet<>();
        for (StoredTask task : tasks.list()) {
            String id = task.id();
            if (outbox.get(id).isPresent()) {
                tasks.remove(id);
                checkpoints.delete(id);
            } else if (clock.millis() > task.task().deadlineEpochMillis()) {
                LOG.info("dropping task " + id + " left by the previous run: its deadline passed");
                tasks.remove(id);
                checkpoints.delete(id);
                dropped.incrementAndGet();
            } else {
                resume.add(task);
                keep.add(id);
            }
        }
        checkpoints.retainOnly(keep);
        if (!resume.isEmpty() || outbox.size() > 0) {
            LOG.info("found " + outbox.size() + " result(s) to report and " + resume.size() + " task(s) to resume");
        }
        return resume;
    }

    private RegisterRequest registerRequest() {
        return new RegisterRequest(options.name(), platform(), options.cores(), memoryMb(), List.copyOf(apps.names()),
                options.account().orElse(null), options.host().orElse(null));
    }

    // ---------------------------------------------------------------- fetch loop

    private void fetchLoop() {
        Backoff backoff = new Backoff(options.backoffMin(), options.backoffMax(), random);
        try {
            // Report what the previous run finished before taking on anything new.
            firstFlush.await(REQUEST_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
            for (StoredTask task : recovered) {
                executor.submit(task);
            }
            recovered = List.of();
            while (!stopping) {
                if (idle != null && !idle.machineIdle()) {
                    setState(State.PAUSED);
                    pause(IDLE_RECHECK);
                    continue;
                }
                if (!executor.awaitFreeSlot(IDLE_RECHECK)) {
                    continue;
                }
                Identity identity = null;
                try {
                    identity = session.identity();
                    int free = executor.freeSlots();
                    if (free == 0) {
                        continue;
                    }
                    List<AssignedTask> fetched = client.fetch(identity.token(), free, options.fetchWait());
                    succeeded(backoff);
                    for (AssignedTask task : fetched) {
                        accept(task, identity);
                    }
                } catch (CoordinatorException e) {
                    pause(failed(backoff, e, identity));
                }
            }
        } catch (InterruptedException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "the fetch loop failed; this worker fetches no more work", e);
            problem = "fetch loop failed: " + e;
        }
    }

    /** Takes on a fetched task: written to the task store first, then queued. */
    private void accept(AssignedTask task, Identity identity) {
        String problemText = task.problem();
        if (problemText != null) {
            LOG.warning("ignoring a malformed task from " + client.current() + ": " + problemText);
            if (task.id() != null && !task.id().isBlank()) {
                storeResult(OutboxEntry.error(task.id(), "malformed task: " + problemText, clock.millis()));
            }
            return;
        }
        if (outbox.get(task.id()).isPresent()) {
            signalResults(); // already finished: its stored result is the answer
            return;
        }
        if (executor.isRunning(task.id())) {
            return;
        }
        StoredTask stored = new StoredTask(task, identity.workerId(), clock.millis());
        try {
            tasks.put(stored);
        } catch (IOException e) {
            LOG.severe("cannot store task " + task.id() + " in the data directory, so it does not run: " + e.getMessage());
            problem = "data directory not writable: " + e.getMessage();
            return;
        }
        executor.submit(stored);
    }

    private void storeResult(OutboxEntry entry) {
        try {
            outbox.put(entry);
            signalResults();
        } catch (IOException e) {
            LOG.warning("cannot store the result of task " + entry.id() + ": " + e.getMessage());
        }
    }

    private void taskFinished(String taskId, TaskExecutor.Outcome outcome) {
        switch (outcome) {
            case DONE -> done.incrementAndGet();
            case FAILED -> failed.incrementAndGet();
            case DROPPED -> dropped.incrementAndGet();
            case INTERRUPTED -> { }
        }
        LOG.fine(() -> "task " + taskId + ": " + outcome.name().toLowerCase(Locale.ROOT));
        if (outcome == TaskExecutor.Outcome.DONE || outcome == TaskExecutor.Outcome.FAILED) {
            signalResults();
        }
    }

    /** A task's blob: from the cache, else downloaded (verified) from a coordinator, retrying until stopped. */
    private byte[] blob(String sha256) throws Exception {
        Optional<byte[]> cached = blobStore.get(sha256);
        if (cached.isPresent()) {
            return cached.get();
        }
        Backoff backoff = new Backoff(options.backoffMin(), options.backoffMax(), new Random());
        while (!stopping) {
            Identity identity = null;
            try {
                identity = session.identity();
                byte[] bytes = client.blob(identity.token(), sha256);
                blobStore.put(sha256, bytes);
                return bytes;
            } catch (RequestRejectedException e) {
                throw new IllegalStateException("blob " + sha256 + " is not available from the coordinator: " + e.getMessage());
            } catch (UnauthorizedException e) {
                session.tokenRefused(identity);
                Thread.sleep(backoff.failure(client.urlCount()).toMillis());
            } catch (CoordinatorUnavailableException e) {
                Thread.sleep(Math.max(backoff.failure(client.urlCount()).toMillis(),
                        e.retryAfter().map(Duration::toMillis).orElse(0L)));
            }
        }
        throw new InterruptedException("the worker is stopping");
    }

    // ---------------------------------------------------------------- report loop

    private void reportLoop() {
        Backoff backoff = new Backoff(options.backoffMin(), options.backoffMax(), random);
        try {
            while (true) {
                boolean last = finalFlush;
                List<OutboxEntry> pending = outbox.pending();
                if (pending.isEmpty()) {
                    firstFlush.countDown();
                    if (last || !dataDir.isOpen()) {
                        return;
                    }
                    awaitResults(Duration.ofSeconds(1));
                    continue;
                }
                Duration wait = Duration.ZERO;
                Identity identity = null;
                try {
                    identity = session.identity();
                    int resolved = reportAll(identity, pending, last ? remaining(finalFlushDeadline) : REQUEST_TIMEOUT);
                    succeeded(backoff);
                    refreshCredit(identity);
                    if (resolved == 0) {
                        wait = options.backoffMin(); // the coordinator acknowledged none of them: do not spin
                    }
                } catch (CoordinatorException e) {
                    wait = failed(backoff, e, identity);
                }
                firstFlush.countDown();
                if (last || !dataDir.isOpen()) {
                    if (outbox.size() > 0) {
                        LOG.info(outbox.size() + " result(s) not acknowledged yet; they are reported on the next start");
                    }
                    return;
                }
                if (!wait.isZero()) {
                    pauseUnlessFinal(wait);
                }
            }
        } catch (InterruptedException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "the report loop failed; results stay in the outbox for the next start", e);
            problem = "report loop failed: " + e;
        }
    }

    /** Reports {@code pending} in batches; returns how many results were resolved (acknowledged or refused for good). */
    private int reportAll(Identity identity, List<OutboxEntry> pending, Duration timeout)
            throws CoordinatorException, InterruptedException {
        int resolved = 0;
        List<OutboxEntry> batch = new ArrayList<>();
        long bytes = 0;
        for (OutboxEntry entry : pending) {
            long size = entry.output() == null ? 256 : entry.output().length * 4L / 3 + 64;
            if (!batch.isEmpty() && (batch.size() >= REPORT_BATCH || bytes + size > REPORT_BATCH_BYTES)) {
                resolved += reportBatch(identity, batch, timeout);
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(entry);
            bytes += size;
        }
        if (!batch.isEmpty()) {
            resolved += reportBatch(identity, batch, timeout);
        }
        return resolved;
    }

    private int reportBatch(Identity identity, List<OutboxEntry> batch, Duration timeout)
            throws CoordinatorException, InterruptedException {
        List<ReportItem> items = batch.stream().map(e -> new ReportItem(e.id(), e.output(), e.error())).toList();
        ReportAck ack;
        try {
            ack = client.report(identity.token(), items, timeout);
        } catch (RequestRejectedException e) {
            if (batch.size() > 1) {
                // One bad entry must not block the others: report them one by one.
                int resolved = 0;
                for (OutboxEntry entry : batch) {
                    resolved += reportBatch(identity, List.of(entry), timeout);
                }
                return resolved;
            }
            LOG.warning("the coordinator refused the report of task " + batch.get(0).id() + " for good: " + e.getMessage());
            forget(batch.get(0).id());
            rejected.incrementAndGet();
            return 1;
        }
        Set<String> sent = new HashSet<>();
        batch.forEach(e -> sent.add(e.id()));
        int resolved = 0;
        for (String id : ack.accepted()) {
            if (sent.remove(id)) {
                forget(id);
                reported.incrementAndGet();
                resolved++;
            }
        }
        for (ReportAck.Rejection rejection : ack.rejected()) {
            if (rejection.isFinal() && sent.remove(rejection.id())) {
                LOG.warning("the coordinator rejected the result of task " + rejection.id() + ": " + rejection.code()
                        + (rejection.message() == null ? "" : " " + rejection.message()));
                forget(rejection.id());
                rejected.incrementAndGet();
                resolved++;
            }
        }
        return resolved;
    }

    private void forget(String id) {
        try {
            outbox.remove(id);
        } catch (IOException e) {
            LOG.warning("could not remove acknowledged result " + id + " from the outbox (" + e.getMessage()
                    + "); it will be reported again, which the coordinator counts once");
        }
    }

    private void refreshCredit(Identity identity) {
        long now = System.nanoTime();
        if (creditUnavailable || finalFlush || (lastCreditRefresh != 0 && now - lastCreditRefresh < CREDIT_REFRESH.toNanos())) {
            return;
        }
        lastCreditRefresh = now;
        try {
            OptionalDouble value = client.credit(identity.workerId(), CREDIT_TIMEOUT);
            if (value.isPresent()) {
                credit = value;
            }
        } catch (UnauthorizedException | RequestRejectedException e) {
            creditUnavailable = true; // a private dashboard: the worker cannot see its credit
        } catch (CoordinatorException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- retry and signals

    private void succeeded(Backoff backoff) {
        if (backoff.failures() > 0) {
            LOG.info("coordinator " + client.current() + " answers again");
        }
        backoff.success();
        problem = null;
        if (!stopping) {
            setState(State.WORKING);
        }
    }

    /** What to do after a failed call: forget a refused token, log the first failure of a streak, and how long to wait. */
    private Duration failed(Backoff backoff, CoordinatorException e, Identity identity) {
        boolean first = backoff.failures() == 0;
        Duration wait;
        if (e instanceof UnauthorizedException) {
            session.tokenRefused(identity);
            wait = backoff.failure(client.urlCount());
            if (first) {
                wait = Duration.ZERO; // register again at once; repeated refusals back off
            }
        } else if (e instanceof CoordinatorUnavailableException unavailable) {
            wait = backoff.failure(client.urlCount());
            Duration retryAfter = unavailable.retryAfter().orElse(Duration.ZERO);
            wait = retryAfter.compareTo(wait) > 0 ? retryAfter : wait;
        } else {
            wait = backoff.failure(1);
        }
        problem = e.getMessage();
        long millis = wait.toMillis();
        if (first) {
            LOG.warning(e.getMessage() + (millis == 0 ? "; retrying" : "; retrying in " + millis + " ms, backing off"));
        } else {
            LOG.fine(() -> e.getMessage() + "; retrying in " + millis + " ms");
        }
        if (!wait.isZero() && !stopping) {
            setState(State.BACKING_OFF);
        }
        return wait;
    }

    private void setState(State next) {
        if (!stopping) {
            state = next;
        }
    }

    /** Sleeps {@code wait} unless the worker starts stopping. */
    private void pause(Duration wait) throws InterruptedException {
        if (!wait.isZero()) {
            stopRequested.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Sleeps {@code wait} unless the final report round begins. */
    private void pauseUnlessFinal(Duration wait) throws InterruptedException {
        long end = System.nanoTime() + wait.toNanos();
        while (!finalFlush) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return;
            }
            signalLock.lock();
            try {
                resultsWaiting.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            } finally {
                signalLock.unlock();
            }
        }
    }

    private void signalResults() {
        signalLock.lock();
        try {
            signalled = true;
            resultsWaiting.signalAll();
        } finally {
            signalLock.unlock();
        }
    }

    private void awaitResults(Duration timeout) throws InterruptedException {
        signalLock.lock();
        try {
            if (!signalled) {
                resultsWaiting.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            signalled = false;
        } finally {
            signalLock.unlock();
        }
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(200), deadlineNanos - System.nanoTime()));
    }

    private static boolean join(Thread thread, long deadlineNanos) throws InterruptedException {
        long millis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (millis > 0) {
            thread.join(millis);
        }
        return !thread.isAlive();
    }

    private void closeDataDir() {
        try {
            if (dataDir != null) {
                dataDir.close();
            }
        } catch (IOException e) {
            LOG.warning("could not release the data directory: " + e.getMessage());
        }
    }

    private static Thread daemon(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    /** The platform as {@code os/arch}, e.g. {@code linux/amd64}. */
    static String platform() {
        String os = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            os = "windows";
        } else if (os.startsWith("mac") || os.startsWith("darwin")) {
            os = "darwin";
        } else {
            os = os.replaceAll("[^a-z0-9]", "");
        }
        String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
        arch = switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            default -> arch;
        };
        return os + "/" + arch;
    }

    /** The machine's memory in MiB, or what this JVM may use when the platform does not say. */
    static long memoryMb() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long total = os.getTotalMemorySize();
            if (total > 0) {
                return total >> 20;
            }
        }
        return Runtime.getRuntime().maxMemory() >> 20;
    }
}
