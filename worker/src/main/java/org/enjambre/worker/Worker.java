package org.enjambre.worker;

import org.enjambre.worker.buffer.RunTimeEstimates;
import org.enjambre.worker.buffer.WorkBuffer;
import org.enjambre.worker.exec.CancelReason;
import org.enjambre.worker.exec.IdleMonitor;
import org.enjambre.worker.exec.Saboteur;
import org.enjambre.worker.exec.TaskExecutor;
import org.enjambre.worker.protocol.AssignedTask;
import org.enjambre.worker.protocol.CoordinatorClient;
import org.enjambre.worker.store.BlobStore;
import org.enjambre.worker.store.CheckpointStore;
import org.enjambre.worker.store.DataDir;
import org.enjambre.worker.store.Identity;
import org.enjambre.worker.store.IdentityStore;
import org.enjambre.worker.store.StoredTask;
import org.enjambre.worker.store.TaskJournal;
import org.enjambre.workunits.app.AppRegistry;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * A volunteer worker's lifecycle: opens its data directory and {@link TaskJournal}, recovers what a
 * previous run left, and wires the parts that do the work — {@link Fetcher} (keeps the
 * {@link WorkBuffer} filled, journals fetched batches, syncs with the coordinator),
 * {@link TaskExecutor} (runs tasks earliest deadline first), {@link Reporter} (group-commits results
 * and reports them in batches), {@link BlobFetcher}, {@link Session} (identity) and {@link HostInfo}.
 * Usable in-process: {@link #start()}, watch {@link #stats()}, {@link #stop(Duration)}.
 *
 * <p>Durability (see {@link TaskJournal}): a fetched batch is durable before any of it runs; a result
 * is durable before it is reported and forgotten once acknowledged. A new worker over the same data
 * directory first reports what the journal holds, then resumes unfinished tasks from their last
 * checkpoint, dropping those whose deadline passed.
 *
 * <p>Threads: one fetch loop, {@link Reporter#SENDERS} report senders, {@code cores} task threads, all daemons.
 * Thread-safe. Just over 300 lines: start, stop and abort each undo a different part of the start on failure.
 */
public final class Worker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Worker.class.getName());
    /** Timeout of a protocol call other than a fetch's long-poll. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    /** What a worker is doing. */
    public enum State { NEW, STARTING, WORKING, BACKING_OFF, PAUSED, STOPPING, STOPPED, FAILED }

    private final WorkerOptions options;
    private final AppRegistry apps;
    private final Clock clock;
    private final LongSupplier ticker;
    private final Random random = new Random();
    private final Status status = new Status();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Object lifecycle = new Object();
    private final RunTimeEstimates estimates = new RunTimeEstimates();

    private DataDir dataDir;
    private TaskJournal journal;
    private volatile org.enjambre.worker.data.ShareServer shareServer;
    private CoordinatorClient client;
    private Session session;
    private Credit credit;
    private TaskExecutor executor;
    private WorkBuffer buffer;
    private Reporter reporter;
    private Fetcher fetcher;
    private Thread fetchThread;

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
        this.ticker = System::nanoTime;
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
            if (status.state() != State.NEW) {
                throw new IllegalStateException("a worker starts once; this one is " + status.state().name().toLowerCase(Locale.ROOT));
            }
            status.force(State.STARTING);
            if (options.sabotage().enabled()) {
                LOG.warning("!!! SABOTAGE IS ON (TEST ONLY): about " + Math.round(options.sabotage().rate() * 100)
                        + "% of results will be WRONG ON PURPOSE" + (options.sabotage().colluding() ? ", colluding" : "")
                        + ". Never run a real worker like this. !!!");
            }
            List<StoredTask> recovered;
            try {
                dataDir = DataDir.open(options.dataDir());
            } catch (IOException e) {
                status.force(State.FAILED);
                stopped.countDown();
                throw e;
            }
            try {
                journal = TaskJournal.open(dataDir);
                CheckpointStore checkpoints = new CheckpointStore(dataDir);
                client = new CoordinatorClient(options.coordinators(), REQUEST_TIMEOUT, clock);
                session = new Session(client, new IdentityStore(dataDir), options.coordinators(),
                        () -> HostInfo.registerRequest(options, apps), clock);
                credit = new Credit(client, ticker);
                buffer = new WorkBuffer(new WorkBuffer.Settings(options.bufferMin(), options.bufferMax(),
                        WorkerOptions.MAX_FETCH, WorkerOptions.MAX_HELD), options.cores(), estimates, clock, ticker);
                Saboteur saboteur = options.sabotage().enabled()
                        ? new Saboteur(options.sabotage().rate(), options.sabotage().colluding(), random)
                        : Saboteur.none();
                IdleMonitor idle = options.idleOnly() ? IdleMonitor.system(() -> executor.busyThreads()) : null;
                org.enjambre.worker.data.CachedFiles files = inputFiles();
                executor = TaskExecutor.system(
                        new TaskExecutor.Config(options.cores(), options.cpuLimitPercent(), options.checkpointInterval()),
                        apps, new TaskExecutor.Stores(journal, checkpoints),
                        new BlobFetcher(new BlobStore(dataDir), client, session, status, options, files), saboteur, idle, clock,
                        new TaskListener());
                recovered = recover(checkpoints);
                reporter = new Reporter(options, session, client, journal, status, credit, ticker, random);
                fetcher = new Fetcher(options, session, client, journal, executor, buffer, idle, status, reporter, clock,
                        ticker, random, recovered, files::whole);
            } catch (IOException | RuntimeException e) {
                status.force(State.FAILED);
                if (journal != null) {
                    journal.abandon();
                }
                closeDataDir();
                stopped.countDown();
                throw e;
            }
            fetchThread = new Thread(fetcher, "enjambre-worker-fetch");
            fetchThread.setDaemon(true);
            status.force(State.WORKING);
            LOG.info("worker " + options.name() + " started: " + options.cores() + " cores"
                    + (options.cpuLimitPercent() < 100 ? " at " + options.cpuLimitPercent() + "% cpu" : "")
                    + (options.idleOnly() ? ", idle-only" : "") + ", coordinators " + options.coordinators()
                    + ", data in " + dataDir.root());
            reporter.start();
            fetchThread.start();
        }
    }

    /**
     * Stops gracefully: no more fetching, running tasks cancelled (their checkpoints stay), finished
     * results committed and reported once more, data directory released. Returns whether all of it
     * happened within {@code timeout}; what was not reported stays in the journal for the next start.
     * Idempotent.
     */
    public boolean stop(Duration timeout) {
        long deadline = ticker.getAsLong() + timeout.toNanos();
        synchronized (lifecycle) {
            if (fetchThread == null) { // never started, or failed to
                status.force(status.state() == State.FAILED ? State.FAILED : State.STOPPED);
                stopped.countDown();
                return true;
            }
            if (status.stopping()) {
                return awaitStopped(timeout);
            }
            status.requestStop();
        }
        boolean clean = true;
        try {
            fetchThread.interrupt();
            executor.shutdown(CancelReason.SHUTDOWN);
            // Tasks stop at their next hook; leave a third of the time for the final report.
            clean = executor.awaitTermination(Duration.ofNanos(Math.max(0, (deadline - ticker.getAsLong()) * 2 / 3)));
            if (!clean) {
                LOG.warning("some tasks did not stop in time; they resume from their last checkpoint on the next start");
            }
            clean &= reporter.finish(deadline);
            fetchThread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - ticker.getAsLong())));
            clean &= !fetchThread.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            clean = false;
        } finally {
            reporter.interrupt();
            fetchThread.interrupt();
            if (journal.results() > 0) {
                LOG.info(journal.results() + " result(s) not acknowledged yet; they are reported on the next start");
            }
            closeJournal();
            closeShareServer();
            closeDataDir();
            status.force(State.STOPPED);
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
            State state = status.state();
            if (state == State.NEW || state == State.STOPPED || state == State.FAILED || fetchThread == null) {
                status.force(state == State.FAILED ? State.FAILED : State.STOPPED);
                stopped.countDown();
                return;
            }
            status.requestStop();
        }
        closeShareServer();
        closeDataDir();
        journal.abandon();
        executor.shutdown(CancelReason.SHUTDOWN);
        fetchThread.interrupt();
        reporter.interrupt();
        try {
            fetchThread.join(2000);
            executor.awaitTermination(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        status.force(State.STOPPED);
        stopped.countDown();
    }

    /**
     * Input files of units: chunks fetched with this worker's token, cached in {@code <data-dir>/chunks} up to
     * {@code --cache-mb}; with {@code --share-cache}, served to other workers by a {@link org.enjambre.worker.data.ShareServer}.
     */
    private org.enjambre.worker.data.CachedFiles inputFiles() throws IOException {
        org.enjambre.worker.data.ChunkCache cache = new org.enjambre.worker.data.ChunkCache(dataDir.root().resolve("chunks"),
                options.cacheMb() * 1024L * 1024L, clock);
        java.util.function.Supplier<String> token = () -> {
            try {
                return session.identity().token();
            } catch (Exception e) {
                throw new IllegalStateException("the worker has no identity to fetch files with: " + e.getMessage(), e);
            }
        };
        org.enjambre.worker.data.ShareServer[] sharing = new org.enjambre.worker.data.ShareServer[1];
        org.enjambre.worker.data.ChunkFetcher fetcher = new org.enjambre.worker.data.ChunkFetcher(options.coordinators(), token,
                cache, Duration.ofSeconds(60), org.enjambre.worker.data.ChunkFetcher.DEFAULT_PARALLEL,
                new org.enjambre.worker.data.ChunkFetcher.Swarm(clock, () -> sharing[0] == null ? null : sharing[0].url(),
                        new org.enjambre.worker.data.BadSourceReports(() -> client, token)));
        if (options.sharing().enabled()) {
            WorkerOptions.Sharing s = options.sharing();
            sharing[0] = org.enjambre.worker.data.ShareServer.start(fetcher, s.host(), s.port(), s.maxTransfers());
            shareServer = sharing[0];
            LOG.info("sharing cached chunks with other workers at " + sharing[0].url());
        }
        // What the fetches name as cached (locality scheduling): the files read through it that the cache holds whole.
        return new org.enjambre.worker.data.CachedFiles(new org.enjambre.worker.data.WorkerFiles(fetcher), fetcher, cache,
                dataDir.root().resolve("cached-files"));
    }

    /** The server sharing this worker's cached chunks ({@code --share-cache}), if it runs. */
    public Optional<org.enjambre.worker.data.ShareServer> shareServer() {
        return Optional.ofNullable(shareServer);
    }

    private void closeShareServer() {
        org.enjambre.worker.data.ShareServer s = shareServer;
        if (s != null) {
            s.close();
        }
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

    /** How many times the task journal was forced to disk since start (a measure of group commit). */
    public long journalSyncs() {
        TaskJournal j = journal;
        return j == null ? 0 : j.syncs();
    }

    /** What the worker is doing now. */
    public WorkerStats stats() {
        TaskExecutor exec = executor;
        TaskJournal j = journal;
        return new WorkerStats(status.state(), workerId().orElse(null), client == null ? null : client.current(), options.cores(),
                exec == null ? 0 : exec.runningNow(), exec == null ? 0 : exec.occupied(), status.done.get(), status.failed.get(), status.dropped.get(),
                status.reported.get(), status.rejected.get(), j == null ? 0 : j.results(),
                credit == null ? java.util.OptionalDouble.empty() : credit.value(), status.problem());
    }

    /** Sorts out what a previous run left: expired tasks are dropped, the rest resumed; stale checkpoints go. */
    private List<StoredTask> recover(CheckpointStore checkpoints) throws IOException {
        List<StoredTask> resume = new ArrayList<>();
        List<String> expired = new ArrayList<>();
        Set<String> keep = new HashSet<>();
        for (StoredTask task : journal.tasks()) {
            if (clock.millis() > task.task().deadlineEpochMillis()) {
                LOG.info("dropping task " + task.id() + " left by the previous run: its deadline passed");
                expired.add(task.id());
                status.dropped.incrementAndGet();
            } else {
                resume.add(task);
                keep.add(task.id());
            }
        }
        journal.forget(expired);
        journal.flush();
        checkpoints.retainOnly(keep);
        if (!resume.isEmpty() || journal.results() > 0) {
            LOG.info("found " + journal.results() + " result(s) to report and " + resume.size() + " task(s) to resume");
        }
        return resume;
    }

    /** Counts outcomes, teaches the buffer run times, wakes the reporter and the fetcher. */
    private final class TaskListener implements TaskExecutor.Listener {
        @Override
        public void started(String taskId) {
            buffer.started(taskId);
        }

        @Override
        public void finished(AssignedTask task, TaskExecutor.Outcome outcome, long runNanos) {
            switch (outcome) {
                case DONE -> status.done.incrementAndGet();
                case FAILED -> status.failed.incrementAndGet();
                case DROPPED -> status.dropped.incrementAndGet();
                case INTERRUPTED -> { }
            }
            LOG.fine(() -> "task " + task.id() + ": " + outcome.name().toLowerCase(Locale.ROOT));
            buffer.finished(task.id(), outcome == TaskExecutor.Outcome.DONE);
            if (outcome == TaskExecutor.Outcome.DONE || outcome == TaskExecutor.Outcome.FAILED) {
                reporter.signal();
            }
            if (buffer.mayFetch()) {
                fetcher.wake(); // else the fetcher would find nothing to fetch (it still looks once a second)
            }
        }
    }

    private void closeJournal() {
        try {
            journal.close();
        } catch (IOException e) {
            LOG.warning("could not close the task journal: " + e.getMessage());
        }
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
}
