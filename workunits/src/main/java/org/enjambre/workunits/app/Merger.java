package org.enjambre.workunits.app;

/**
 * Folds the canonical outputs of a job's work units into the job's result. Not thread-safe: one
 * merger serves one assimilation.
 */
public interface Merger {

    /** Adds the canonical output of unit {@code index}; called once per unit, in ascending index order. */
    void accept(int index, byte[] output) throws Exception;

    /** The job's result, once every unit was accepted. */
    MergedResult finish() throws Exception;

    /**
     * Whether the result is exactly the outputs joined in unit order (with {@link #finish}'s content type): then a
     * coordinator may join the outputs itself and serve those kept as files one after another, calling only
     * {@link #finish} (with nothing accepted) for the result's content type (README, "Outputs as files"). False by
     * default.
     */
    default boolean concatenates() {
        return false;
    }

    /**
     * Whether {@link #accept} looks at the output bytes; when false, an output kept as a file is handed over as its
     * encoded {@link OutputFile} reference instead of being read. True by default.
     */
    default boolean readsOutputs() {
        return true;
    }
}
