package org.enjambre.worker.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.Set;

/** The coordinator's answer to a report: which results it accepted and which it rejected, with why. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReportAck(List<String> accepted, List<Rejection> rejected) {
    /**
     * Rejection codes that mean "not now" rather than "never": the result stays in the outbox and is
     * reported again. {@code docs/api.md} names only final codes ({@code NOT_YOURS}, {@code CONFLICT});
     * any code not listed here is final.
     */
    public static final Set<String> RETRYABLE_CODES = Set.of("UNAVAILABLE", "INTERNAL", "INTERNAL_ERROR",
            "RETRY", "RETRY_LATER", "TIMEOUT", "BUSY", "OVERLOADED", "TOO_MANY_REQUESTS",
            // An output file the coordinators do not hold whole (yet, or any more): uploaded again before the next report.
            "OUTPUT_FILE_UNKNOWN", "OUTPUT_FILE_INCOMPLETE");

    public ReportAck {
        accepted = accepted == null ? List.of() : List.copyOf(accepted);
        rejected = rejected == null ? List.of() : List.copyOf(rejected);
    }

    /** One rejected result. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Rejection(String id, String code, String message) {
        /** Whether the coordinator will never accept this result, so the worker may forget it. */
        public boolean isFinal() {
            return code == null || !RETRYABLE_CODES.contains(code);
        }
    }
}
