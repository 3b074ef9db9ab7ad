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
}
