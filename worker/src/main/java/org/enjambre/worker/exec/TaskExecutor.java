package org.enjambre.worker.exec;

import org.enjambre.worker.protocol.AssignedTask;
import org.enjambre.worker.store.CheckpointStore;
import org.enjambre.worker.store.OutboxEntry;
import org.enjambre.worker.store.StoredTask;
import org.enjambre.worker.store.TaskJournal;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.app.RunContext;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs accepted tasks on a pool of {@code threads} task threads, earliest deadline first (then in the
 * order submitted). A task's life here:
 * <ol>
 *   <li>it is already durable in the task journal (the caller wrote it before {@link #submit});</li>
 *   <li>its app runs with a {@link TaskContext} (checkpoints, deadline, CPU limit, idle-only);</li>
 *   <li>its output, or the error that ended it, is handed to the journal ({@link TaskJournal#finish}),
 *       which makes it durable at its next group commit; its checkpoint is deleted;</li>
 *   <li>cancelled for {@link CancelReason#SHUTDOWN}, it stays in the journal with its checkpoint,
 *       to resume on the next start; cancelled for a deadline, it is dropped (forgotten).</li>
 * </ol>
 * An output an app returns is kept even if a cancellation arrived meanwhile: it is finished work.
 *
 * <p>Thread-safe. Over 300 lines because the run, finish and drop paths share the running-task
 * bookkeeping; the deadline-ordered queue ({@code Queued}) is the next part to move out.
 */
public final class TaskExecutor {
    private static final Logger LOG = Logger.getLogger(TaskExecutor.class.getName());
    private static final int MAX_ERROR_LENGTH = 500;

    /** How a task left the executor. */
    public enum Outcome {
        /** An output is in the outbox. */
        DONE,
        /** An error is in the outbox (the app failed, the app is unknown, the blob is missing). */
        FAILED,
        /** Its deadline passed: forgotten, nothing to report. */
        DROPPED,
        /** The worker is stopping: left in the task store to resume. */
        INTERRUPTED
    }

    /** Hears about every task that starts and leaves the executor; called on the task's thread. */
    @FunctionalInterface
    public interface Listener {
        /** Task {@code task} left with {@code outcome} after running {@code runNanos} (0 when it never ran). */
        void finished(AssignedTask task, Outcome outcome, long runNanos);

        /** Task {@code taskId} starts to run. */
        default void started(String taskId) {
        }
    }

    /**
     * How tasks run.
     *
     * @param threads            task threads, at least 1
     * @param cpuLimitPercent    the CPU limit of each task thread, 1 to 100
     * @param checkpointInterval the least time between two checkpoints a task is invited to save
     */
    public record Config(int threads, int cpuLimitPercent, Duration checkpointInterval) {
        public Config {
            if (threads < 1) {
                throw new IllegalArgumentException("the executor needs at least 1 thread, got " + threads);
            }
            if (cpuLimitPercent < 1 || cpuLimitPercent > 100) {
                throw new IllegalArgumentException("cpu limit must be between 1 and 100 percent, got " + cpuLimitPercent);
            }
            Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        }
    }

    /** The stores a task touches. */
    public record Stores(TaskJournal journal, CheckpointStore checkpoints) {
    }

    private final Config config;
    private final AppRegistry apps;
    private final Stores stores;
    private final BlobSource blobs;
    private final Saboteur saboteur;
    private final IdleMonitor idle;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final IntFunction<Throttle> throttles;
    private final Listener listener;
    private final ExecutorService pool;
    private final Map<String, TaskContext> running = new ConcurrentHashMap<>();
    private final AtomicInteger occupied = new AtomicInteger();
    private final AtomicInteger slotWaiters = new AtomicInteger();
    private final AtomicLong submitted = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition slotFreed = lock.newCondition();
    private volatile boolean shutdown;

    /**
     * @param idle      the idle-only monitor, {@code null} to run regardless of the machine's load
     * @param throttles makes the throttle of one task thread from the CPU limit
     */
    public TaskExecutor(Config config, AppRegistry apps, Stores stores, BlobSource blobs, Saboteur saboteur,
                        IdleMonitor idle, Clock clock, LongSupplier nanoTime, IntFunction<Throttle> throttles, Listener listener) {
        this.config = Objects.requireNonNull(config, "config");
        this.apps = Objects.requireNonNull(apps, "apps");
        this.stores = Objects.requireNonNull(stores, "stores");
        this.blobs = Objects.requireNonNull(blobs, "blobs");
        this.saboteur = Objects.requireNonNull(saboteur, "saboteur");
        this.idle = idle;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.throttles = Objects.requireNonNull(throttles, "throttles");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.pool = new ThreadPoolExecutor(config.threads(), config.threads(), 0, TimeUnit.MILLISECONDS,
                new PriorityBlockingQueue<>(), taskThreads());
        ((ThreadPoolExecutor) pool).prestartAllCoreThreads(); // every task goes through the queue, in deadline order
    }

    /** An executor on the real clock, with the real throttle. */
    public static TaskExecutor system(Config config, AppRegistry apps, Stores stores, BlobSource blobs, Saboteur saboteur,
                                      IdleMonitor idle, Clock clock, Listener listener) {
        return new TaskExecutor(config, apps, stores, blobs, saboteur, idle, clock, System::nanoTime, Throttle::system, listener);
    }

    /**
     * Queues {@code task} to run; it must already be in the task journal. Returns {@code false} when the
     * executor is shutting down or the task is already queued or running.
     */
    public boolean submit(StoredTask task) {
        String id = task.id();
        if (shutdown) {
            return false;
        }
        TaskContext context = newContext(task.task());
        if (running.putIfAbsent(id, context) != null) {
            return false;
        }
        occupied.incrementAndGet();
        try {
            pool.execute(new Queued(task.task(), context, submitted.incrementAndGet()));
        } catch (RuntimeException e) {
            running.remove(id);
            release();
            return false;
        }
        return true;
    }

    /**
     * Drops queued task {@code taskId} without running it (it cannot finish before its deadline); a task
     * already running is left alone. Returns whether it was queued.
     */
    public boolean dropQueued(String taskId) {
        TaskContext context = running.get(taskId);
        if (context == null || context.thread() != null) {
            return false;
        }
        context.cancel(CancelReason.CANNOT_MEET_DEADLINE);
        return true;
    }

    /** Slots free for more tasks: threads minus tasks queued or running. */
    public int freeSlots() {
        return Math.max(0, config.threads() - occupied.get());
    }

    /** Tasks running now (not queued). */
    public int runningNow() {
        return (int) running.values().stream().filter(c -> c.thread() != null).count();
    }

    /** Tasks queued or running. */
    public int occupied() {
        return occupied.get();
    }

    /** Task threads computing right now (not waiting in the queue, not paused for idle-only). */
    public int busyThreads() {
        return (int) running.values().stream().filter(c -> c.thread() != null && !c.paused()).count();
    }

    /** The tasks queued or running, with their progress. */
    public List<TaskContext> running() {
        return List.copyOf(running.values());
    }

    public Optional<TaskContext> context(String taskId) {
        return Optional.ofNullable(running.get(taskId));
    }

    public boolean isRunning(String taskId) {
        return running.containsKey(taskId);
    }

    /** Waits up to {@code timeout} until a slot is free; returns whether one is. */
    public boolean awaitFreeSlot(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        slotWaiters.incrementAndGet(); // before reading the slots: see release()
        try {
            while (freeSlots() == 0 && !shutdown) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = slotFreed.awaitNanos(nanos);
            }
            return freeSlots() > 0;
        } finally {
            slotWaiters.decrementAndGet();
            lock.unlock();
        }
    }

    /**
     * Stops taking tasks and cancels the running ones for {@code reason}: they stop at their next hook
     * (their threads are interrupted too, for apps that block). Queued tasks never start.
     */
    public void shutdown(CancelReason reason) {
        shutdown = true;
        running.values().forEach(c -> c.cancel(reason));
        running.values().forEach(TaskContext::interruptThread);
        pool.shutdown();
        lock.lock();
        try {
            slotFreed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every task left after {@link #shutdown}; returns whether they all did in time. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isTerminated() {
        return pool.isTerminated();
    }

    private TaskContext newContext(AssignedTask task) {
        return new TaskContext(task.id(), task.deadlineEpochMillis(), clock, stores.checkpoints(),
                config.checkpointInterval().toNanos(), nanoTime, throttles.apply(config.cpuLimitPercent()), idle);
    }

    /** A queued task, ordered earliest deadline first, then first submitted. */
    private final class Queued implements Runnable, Comparable<Queued> {
        final AssignedTask task;
        final TaskContext context;
        final long sequence;

        Queued(AssignedTask task, TaskContext context, long sequence) {
            this.task = task;
            this.context = context;
            this.sequence = sequence;
        }

        @Override
        public void run() {
            TaskExecutor.this.run(task, context);
        }

        @Override
        public int compareTo(Queued other) {
            int byDeadline = Long.compare(task.deadlineEpochMillis(), other.task.deadlineEpochMillis());
            return byDeadline != 0 ? byDeadline : Long.compare(sequence, other.sequence);
        }
    }

    private void run(AssignedTask task, TaskContext queued) {
        String id = task.id();
        Outcome outcome = Outcome.INTERRUPTED;
        long begin = nanoTime.getAsLong();
        boolean ran = false;
        queued.runOn(Thread.currentThread());
        try {
            if (queued.cancelReason() == CancelReason.SHUTDOWN || shutdown) {
                return;
            }
            if (queued.cancelReason() == CancelReason.CANNOT_MEET_DEADLINE) {
                outcome = drop(id, queued.cancelReason().message());
                return;
            }
            if (clock.millis() > task.deadlineEpochMillis()) {
                outcome = drop(id, "its deadline passed before it started");
                return;
            }
            ran = true;
            listener.started(id);
            Optional<App> app = apps.find(task.app());
            if (app.isEmpty()) {
                outcome = finish(OutboxEntry.error(id, "unknown app '" + task.app() + "' (this worker runs: "
                        + String.join(", ", apps.names()) + ")", clock.millis()), queued);
                return;
            }
            if (task.blob() != null) {
                queued.attachBlob(blobs.get(task.blob()));
            }
            queued.attachFiles(blobs.files());
            outcome = execute(task, app.get(), queued);
        } catch (Throwable t) {
            outcome = queued.cancelReason() != null ? cancelled(id, queued.cancelReason()) : failed(id, t, queued);
        } finally {
            queued.runOn(null);
            running.remove(id);
            Thread.interrupted();
            release();
            try {
                listener.finished(task, outcome, ran ? nanoTime.getAsLong() - begin : 0);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "task listener failed", e);
            }
        }
    }

    private Outcome execute(AssignedTask task, App app, TaskContext context) {
        String id = task.id();
        byte[] output;
        try {
            output = app.run(task.input().clone(), context);
        } catch (RunContext.CancelledException e) {
            return cancelled(id, context.cancelReason() != null ? context.cancelReason() : CancelReason.SHUTDOWN);
        } catch (Throwable t) {
            if (context.cancelReason() != null) {
                // An interrupted app may throw anything; it was stopping, not failing.
                return cancelled(id, context.cancelReason());
            }
            return failed(id, t, context);
        }
        if (output == null) {
            return failed(id, new IllegalStateException("app '" + app.name() + "' returned no output"), context);
        }
        Thread.interrupted(); // a finished result is kept even when a stop raced with it
        return finish(OutboxEntry.output(id, saboteur.apply(id, output), clock.millis()), context);
    }

    private Outcome failed(String id, Throwable t, TaskContext context) {
        if (t instanceof Error && !(t instanceof OutOfMemoryError) && !(t instanceof StackOverflowError)) {
            LOG.log(Level.SEVERE, "task " + id + " failed with " + t, t);
        } else {
            LOG.log(Level.FINE, "task " + id + " failed", t);
        }
        return finish(OutboxEntry.error(id, describe(t), clock.millis()), context);
    }

    /**
     * Hands the result to the journal (durable at its next group commit) and deletes the task's
     * checkpoint if it wrote or read one. Should a crash come first, the task is still in the journal
     * and its checkpoint gone or not: it runs again, from there or from the start.
     */
    private Outcome finish(OutboxEntry entry, TaskContext context) {
        Thread.interrupted();
        OutboxEntry stored = stores.journal().finish(entry);
        if (context.touchedCheckpoint()) {
            try {
                stores.checkpoints().delete(entry.id());
            } catch (IOException e) {
                LOG.fine(() -> "could not delete the checkpoint of finished task " + entry.id() + ": " + e.getMessage());
            }
        }
        return stored.error() == null ? Outcome.DONE : Outcome.FAILED;
    }

    private Outcome cancelled(String id, CancelReason reason) {
        if (reason == CancelReason.DEADLINE) {
            return drop(id, "its deadline passed while it ran");
        }
        if (reason == CancelReason.CANNOT_MEET_DEADLINE) {
            return drop(id, reason.message());
        }
        LOG.fine(() -> "task " + id + " stopped; its checkpoint stays for the next start");
        return Outcome.INTERRUPTED;
    }

    private Outcome drop(String id, String why) {
        LOG.info("dropping task " + id + ": " + why);
        stores.journal().forget(List.of(id));
        try {
            stores.checkpoints().delete(id);
        } catch (IOException e) {
            LOG.warning("could not forget dropped task " + id + ": " + e.getMessage());
        }
        return Outcome.DROPPED;
    }

    /**
     * Frees a slot; wakes {@link #awaitFreeSlot} callers only when there are any. A waiter counts itself before it
     * reads the slots and this reads the waiters after freeing one (both volatile), so one of the two sees the other.
     */
    private void release() {
        occupied.decrementAndGet();
        if (slotWaiters.get() == 0) {
            return;
        }
        lock.lock();
        try {
            slotFreed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The error text reported for {@code t}: its type and message, one line, bounded. */
    static String describe(Throwable t) {
        String message = t.getMessage();
        String text = t.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
        text = text.replaceAll("[\\r\\n\\t]+", " ");
        return text.length() > MAX_ERROR_LENGTH ? text.substring(0, MAX_ERROR_LENGTH - 1) + "…" : text;
    }

    private static ThreadFactory taskThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "enjambre-task-" + count.incrementAndGet());
            thread.setDaemon(true);
            thread.setPriority(Thread.MIN_PRIORITY);
            return thread;
        };
    }
}
