package org.enjambre.worker.exec;

import org.enjambre.worker.store.CheckpointStore;
import org.enjambre.workunits.app.RunContext;

import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@link RunContext} of one task on this worker: checkpoints go to the data directory,
 * cancellation comes from the deadline (on the injected clock) or from the worker stopping, and
 * every hook is where the CPU limit and the idle-only pause take effect.
 */
public final class TaskContext implements RunContext {
    private static final Logger LOG = Logger.getLogger(TaskContext.class.getName());
    private static final long IDLE_POLL_MILLIS = 250;

    private final String taskId;
    private final long deadlineMillis;
    private final Clock clock;
    private final CheckpointStore checkpoints;
    private final long checkpointIntervalNanos;
    private final LongSupplier nanoTime;
    private final Throttle throttle;
    private final IdleMonitor idle;
    private volatile byte[] blob;
    private volatile org.enjambre.workunits.app.InputFiles files = org.enjambre.workunits.app.InputFiles.NONE;
    private volatile CancelReason cancelled;
    /** The task thread running this task, {@code null} while it is queued or once it left. */
    private volatile Thread thread;
    private volatile double progress;
    private volatile boolean paused;
    private volatile int checkpointCount;
    private volatile boolean touchedCheckpoint;
    private long lastCheckpoint;

    TaskContext(String taskId, long deadlineMillis, Clock clock, CheckpointStore checkpoints, long checkpointIntervalNanos,
                LongSupplier nanoTime, Throttle throttle, IdleMonitor idle) {
        this.taskId = taskId;
        this.deadlineMillis = deadlineMillis;
        this.clock = clock;
        this.checkpoints = checkpoints;
        this.checkpointIntervalNanos = checkpointIntervalNanos;
        this.nanoTime = nanoTime;
        this.throttle = throttle;
        this.idle = idle;
        this.lastCheckpoint = nanoTime.getAsLong();
    }

    @Override
    public void progress(double fraction) {
        progress = Double.isNaN(fraction) ? progress : Math.max(0, Math.min(1, fraction));
        paceQuietly();
    }

    @Override
    public boolean timeToCheckpoint() {
        paceQuietly();
        return nanoTime.getAsLong() - lastCheckpoint >= checkpointIntervalNanos;
    }

    @Override
    public void checkpoint(byte[] state) {
        touchedCheckpoint = true;
        try {
            checkpoints.save(taskId, state);
            checkpointCount++;
        } catch (IOException e) {
            // The previous checkpoint is intact (atomic writes); the task just resumes from further back.
            LOG.log(Level.WARNING, "could not save a checkpoint of task " + taskId + ": " + e.getMessage());
        }
        lastCheckpoint = nanoTime.getAsLong();
    }

    @Override
    public Optional<byte[]> restore() {
        touchedCheckpoint = true;
        try {
            return checkpoints.load(taskId);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not read the checkpoint of task " + taskId + "; starting it over: " + e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public long millisLeft() {
        return deadlineMillis - clock.millis();
    }

    @Override
    public void checkCancelled() throws CancelledException {
        try {
            pace();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (cancelled == null && clock.millis() > deadlineMillis) {
            cancelled = CancelReason.DEADLINE;
        }
        CancelReason reason = cancelled;
        if (reason != null) {
            throw new CancelledException(reason.message());
        }
    }

    /**
     * The bytes of the blob the task named (a WebAssembly module), fetched and verified before the task
     * started; empty when it named none. The app SPI has no accessor for it yet.
     */
    @Override
    public Optional<byte[]> blob() {
        return Optional.ofNullable(blob).map(byte[]::clone);
    }

    @Override
    public org.enjambre.workunits.app.InputFiles files() {
        return files;
    }

    /** Hands the task the files it may read before the app runs. */
    void attachFiles(org.enjambre.workunits.app.InputFiles files) {
        this.files = files;
    }

    /** Hands the task its blob before the app runs. */
    void attachBlob(byte[] bytes) {
        this.blob = bytes.clone();
    }

    public String taskId() {
        return taskId;
    }

    public double progressFraction() {
        return progress;
    }

    public int checkpointCount() {
        return checkpointCount;
    }

    /** Whether the task saved or read a checkpoint (so there may be one to delete when it finishes). */
    boolean touchedCheckpoint() {
        return touchedCheckpoint;
    }

    /** Whether the task is resting for the idle-only rule (not for the CPU limit). */
    boolean paused() {
        return paused;
    }

    /** Marks the task as running on {@code runner}, or ({@code null}) as no longer running. */
    void runOn(Thread runner) {
        thread = runner;
    }

    Thread thread() {
        return thread;
    }

    /** Interrupts the thread running the task, if one is (for apps that block). */
    void interruptThread() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    CancelReason cancelReason() {
        return cancelled;
    }

    void cancel(CancelReason reason) {
        if (cancelled == null) {
            cancelled = reason;
        }
    }

    private void paceQuietly() {
        try {
            pace();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Rests for the CPU limit, then waits while the machine is in use (idle-only), unless cancelled. */
    private void pace() throws InterruptedException {
        if (cancelled != null || Thread.currentThread().isInterrupted()) {
            return;
        }
        throttle.pace();
        if (idle != null && !idle.machineIdle()) {
            paused = true;
            try {
                while (cancelled == null && !idle.machineIdle() && clock.millis() <= deadlineMillis) {
                    Thread.sleep(IDLE_POLL_MILLIS);
                }
            } finally {
                paused = false;
                throttle.restart();
            }
        }
    }
}
