package org.enjambre.worker.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One entry of a report: a task's output, or the error that ended it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReportItem(String id, byte[] output, String error) {
    public ReportItem {
        if ((output == null) == (error == null)) {
            throw new IllegalArgumentException("a report of task " + id + " carries an output or an error, exactly one");
        }
    }
}
