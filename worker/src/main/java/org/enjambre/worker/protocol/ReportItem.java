package org.enjambre.worker.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One entry of a report: a task's output (inline bytes, or the id of the file it was uploaded as: README, "Outputs as
 * files"), or the error that ended it; exactly one of the three.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReportItem(String id, byte[] output, String error, String outputFile) {
    public ReportItem {
        if ((output != null ? 1 : 0) + (error != null ? 1 : 0) + (outputFile != null ? 1 : 0) != 1) {
            throw new IllegalArgumentException("a report of task " + id + " carries an output, an output file or an error, exactly one");
        }
    }

    /** An inline output or an error. */
    public ReportItem(String id, byte[] output, String error) {
        this(id, output, error, null);
    }
}
