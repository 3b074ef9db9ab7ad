package org.enjambre.workunits.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.workunits.spec.SpecException;

import java.util.Arrays;

/**
 * A kind of computation the platform can run: it splits a job's input into work units, runs one
 * unit, compares two outputs of the same unit, and merges the canonical outputs into the job's result.
 *
 * <p>Rules every implementation MUST follow:
 * <ol>
 *   <li>{@link #unitInput} and {@link #run} are deterministic: the same input gives byte-identical
 *       output on any machine and JVM. Exact quorum validation depends on it.</li>
 *   <li>{@link #unitInput} depends only on its arguments, so the coordinator can create units lazily,
 *       in any order, on any peer.</li>
 *   <li>Implementations are stateless and thread-safe; one instance serves every job.</li>
 *   <li>{@link #run} checks {@link RunContext#checkCancelled()} often enough to stop within a second.</li>
 * </ol>
 */
public interface App {

    /** The name jobs use in their {@code app} field. */
    String name();

    /**
     * Checks the app's input and the unit count for this app.
     *
     * @throws SpecException naming the field, e.g. {@code input.to}, and the rule it breaks
     */
    void validate(JsonNode input, int workUnits) throws SpecException;

    /** The number of work units a job gets when its spec does not say; {@code input} is valid. */
    int defaultWorkUnits(JsonNode input);

    /** The input of unit {@code index} (0-based) of {@code workUnits}; input and count are valid. */
    byte[] unitInput(JsonNode input, int workUnits, int index);

    /**
     * An estimate of the work in one unit, in units of roughly one second of one core of a typical
     * machine; credit is proportional to it. Need not be precise, must be deterministic.
     */
    double cost(JsonNode input, int workUnits, int index);

    /**
     * An upper estimate of the seconds one core of the reference machine (see {@link #SLOW_MACHINE_FACTOR})
     * spends on the costliest unit of the job, pessimistic where {@link #cost} is typical (a mandelbrot
     * pixel inside the set runs every iteration). The spec parser refuses a job whose costliest unit,
     * times {@link #SLOW_MACHINE_FACTOR}, does not fit its deadline. 0 means "unknown" (no check).
     * The default looks at the first, middle and last unit: right for apps that split evenly.
     */
    default double maxUnitSeconds(JsonNode input, int workUnits) {
        return Math.max(cost(input, workUnits, 0), Math.max(cost(input, workUnits, workUnits / 2),
                cost(input, workUnits, workUnits - 1)));
    }

    /**
     * How much slower than the reference machine (the 2-core development machine the estimates were
     * measured on, docs/engineering-notes.md "Job limits") a slow volunteer may be.
     */
    double SLOW_MACHINE_FACTOR = 5;

    /**
     * Runs one unit. Checkpoints through the context when the unit is long; when the context holds a
     * checkpoint, resumes from it and returns exactly what an uninterrupted run would have.
     *
     * @throws Exception when the unit cannot be computed; the task is reported as a client error
     */
    byte[] run(byte[] unitInput, RunContext context) throws Exception;

    /**
     * Whether a worker's output is well-formed for this app. A malformed output is a client error,
     * never a candidate for the canonical result. The default accepts anything.
     */
    default boolean wellFormed(byte[] output) {
        return output != null;
    }

    /** Whether two outputs of one unit agree. Exact by default; an app may declare a tolerance. */
    default boolean agree(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }

    /**
     * The uploaded files a job reads, by the field that names each ({@code input.files[2]} → file id), in order;
     * the coordinator refuses a job naming a file it does not hold. {@code input} is valid. None by default.
     */
    default java.util.Map<String, String> inputFiles(JsonNode input) {
        return java.util.Map.of();
    }

    /**
     * Whether the job's units read uploaded files; cheap (the scheduler asks it per unit it hands a browser, which
     * reads none). {@code input} is valid. By default: whether {@link #inputFiles} names any.
     */
    default boolean readsFiles(JsonNode input) {
        return !inputFiles(input).isEmpty();
    }

    /** A fresh merger for one job's result; {@code input} and {@code workUnits} are valid. */
    Merger merger(JsonNode input, int workUnits);
}
