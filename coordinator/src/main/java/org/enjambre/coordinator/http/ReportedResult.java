package org.enjambre.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.data.OutputFiles;
import org.enjambre.coordinator.errors.InvalidInputException;
import org.enjambre.coordinator.sched.Scheduler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;

/**
 * One entry of a report as a worker sent it: {@code {"id"}} with exactly one of {@code output} (base64),
 * {@code outputFile} (the id of an uploaded file, README "Outputs as files") and {@code error}.
 */
record ReportedResult(String id, byte[] output, String outputFile, String error) {

    /** Parses one entry; a malformed one fails the whole report with 400 naming {@code field}. */
    static ReportedResult parse(JsonNode r, String field) {
        if (!r.isObject() || !r.path("id").isTextual()) {
            throw InvalidInputException.of(field + ".id must be a task id string", field + ".id");
        }
        JsonNode out = r.get("output");
        JsonNode file = r.get("outputFile");
        JsonNode err = r.get("error");
        if ((out != null ? 1 : 0) + (file != null ? 1 : 0) + (err != null ? 1 : 0) != 1) {
            throw InvalidInputException.of(field + " must have exactly one of output, outputFile and error", field);
        }
        String id = r.get("id").textValue();
        if (out != null) {
            if (!out.isTextual()) {
                throw InvalidInputException.of(field + ".output must be a base64 string", field + ".output");
            }
            try {
                return new ReportedResult(id, Base64.getDecoder().decode(out.textValue()), null, null);
            } catch (IllegalArgumentException e) {
                throw InvalidInputException.of(field + ".output is not valid base64", field + ".output");
            }
        }
        if (file != null) {
            if (!file.isTextual()) {
                throw InvalidInputException.of(field + ".outputFile must be a file id string", field + ".outputFile");
            }
            return new ReportedResult(id, null, file.textValue(), null);
        }
        if (!err.isTextual()) {
            throw InvalidInputException.of(field + ".error must be a string", field + ".error");
        }
        String message = err.textValue();
        if (message.length() > Limits.MAX_ERROR_CHARS) {
            message = message.substring(0, Limits.MAX_ERROR_CHARS);
        }
        return new ReportedResult(id, null, null, message);
    }

    /**
     * Adds what this entry means for its unit to {@code reports} (its output in the form {@link OutputFiles} decides,
     * or an error), or to {@code refused} when its output file is not there yet (the worker uploads and retries).
     * Blocking.
     */
    void resolve(OutputFiles outputs, List<Scheduler.Report> reports, List<Scheduler.Refusal> refused) {
        if (error != null) {
            reports.add(new Scheduler.Report(id, null, error));
            return;
        }
        OutputFiles.Outcome o;
        try {
            o = output != null ? outputs.inline(output) : outputs.file(outputFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (o.refusalCode() != null) {
            refused.add(new Scheduler.Refusal(id, o.refusalCode(), o.message()));
        } else {
            reports.add(new Scheduler.Report(id, o.output(), o.message()));
        }
    }
}
