package org.enjambre.workunits.app;

import java.util.Optional;

/**
 * What a running unit may ask of its host: report progress, save and restore a checkpoint, and
 * learn that it should stop. Implementations are supplied by the worker (and by tests).
 */
public interface RunContext {

    /** Reports the fraction done, 0.0 to 1.0. Cheap; call it as often as convenient. */
    void progress(double fraction);

    /**
     * Whether now is a good time to checkpoint; hosts rate-limit checkpoints (BOINC's
     * {@code boinc_time_to_checkpoint}). Cheap.
     */
    boolean timeToCheckpoint();

    /** Saves {@code state}; after a crash, {@link #restore()} returns the last state saved. */
    void checkpoint(byte[] state);

    /** The last checkpoint of this unit, if a previous run saved one. */
    Optional<byte[]> restore();

    /**
     * The content-addressed blob the task names (a WebAssembly module), fetched and verified by the host
     * before the unit runs; empty when the task names none or the host keeps blobs elsewhere.
     */
    default Optional<byte[]> blob() {
        return Optional.empty();
    }

    /** The uploaded files this unit may read ({@link InputFiles}); a host that serves none fails every open. */
    default InputFiles files() {
        return InputFiles.NONE;
    }

    /**
     * Milliseconds until the host stops waiting for this unit (its task's deadline), or
     * {@link Long#MAX_VALUE} when it has none. A sandbox bounds its run time by it, so that a unit that
     * runs too long fails with a reason instead of silently missing its deadline.
     */
    default long millisLeft() {
        return Long.MAX_VALUE;
    }

    /** Throws {@link CancelledException} when the host wants the unit to stop (deadline, shutdown). */
    void checkCancelled() throws CancelledException;

    /** Thrown by {@link #checkCancelled()}; the unit's last checkpoint stays valid. */
    final class CancelledException extends Exception {
        public CancelledException(String reason) {
            super(reason);
        }
    }

    /** A context that never cancels and keeps its checkpoint in memory: for tests and benchmarks. */
    static InMemory inMemory() {
        return new InMemory();
    }

    /** An in-memory context; {@link #cancelAfterCheckpoints(int)} simulates a crash after N checkpoints. */
    final class InMemory implements RunContext {
        private volatile byte[] checkpoint;
        private volatile double progress;
        private volatile int checkpoints;
        private volatile int cancelAfter = Integer.MAX_VALUE;
        private volatile InputFiles files = InputFiles.NONE;

        @Override public void progress(double fraction) { this.progress = fraction; }
        @Override public boolean timeToCheckpoint() { return true; }
        @Override public void checkpoint(byte[] state) { this.checkpoint = state.clone(); checkpoints++; }
        @Override public Optional<byte[]> restore() { return Optional.ofNullable(checkpoint).map(byte[]::clone); }

        @Override
        public void checkCancelled() throws CancelledException {
            if (checkpoints >= cancelAfter) {
                throw new CancelledException("cancelled after " + checkpoints + " checkpoints");
            }
        }

        /** Makes {@link #checkCancelled()} throw once {@code n} checkpoints were saved. */
        public InMemory cancelAfterCheckpoints(int n) { this.cancelAfter = n; return this; }

        /** Serves {@code files} to the unit ({@link #files()}). */
        public InMemory withFiles(InputFiles files) { this.files = files; return this; }

        @Override public InputFiles files() { return files; }

        /** Lets the unit run on (after a simulated crash, to resume). */
        public InMemory resume() { this.cancelAfter = Integer.MAX_VALUE; return this; }

        public double progress() { return progress; }
        public int checkpoints() { return checkpoints; }
    }
}
