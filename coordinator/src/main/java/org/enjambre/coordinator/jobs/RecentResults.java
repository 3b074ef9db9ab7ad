package org.enjambre.coordinator.jobs;

import org.enjambre.workunits.app.MergedResult;

import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The merged results of the jobs this peer completed last, small ones only, so that {@code GET /api/v1/jobs/{id}/result}
 * right after completion (what a one-unit job's submitter does next) is answered on the event loop, without a worker
 * thread or a store read: the one-unit path trace of the twelfth session (BENCHMARKS.md) spent about 0.25 ms there.
 * A completed job's result never changes and jobs are never deleted, so an entry is never stale; results streamed as
 * output-file parts, and results over {@link #MAX_BODY}, are never kept. At most {@link #MAX_BYTES} of bodies, oldest
 * out first. Thread-safe (one lock, held for a map operation).
 */
final class RecentResults {
    /** Largest body kept: a job of many units, or of large outputs, is read from the store as before. */
    static final int MAX_BODY = 64 << 10;
    /** Bodies kept at most, together. */
    static final long MAX_BYTES = 8L << 20;

    private final long maxBytes;
    private final LinkedHashMap<String, MergedResult> results = new LinkedHashMap<>();
    private long bytes;

    RecentResults() {
        this(MAX_BYTES);
    }

    RecentResults(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Keeps the result of {@code jobId}, which just completed here, when it is small; forgets the oldest past the bound. */
    synchronized void completed(String jobId, MergedResult result) {
        if (result.body().length > MAX_BODY || ResultParts.is(result.body())) {
            return;
        }
        MergedResult before = results.put(jobId, result);
        bytes += result.body().length - (before == null ? 0 : before.body().length);
        for (Iterator<MergedResult> it = results.values().iterator(); bytes > maxBytes && it.hasNext(); ) {
            bytes -= it.next().body().length;
            it.remove();
        }
    }

    /** The kept result of {@code jobId}, or null. */
    synchronized MergedResult get(String jobId) {
        return results.get(jobId);
    }

    /** Bodies kept, in bytes (tests). */
    synchronized long bytes() {
        return bytes;
    }

    /** Results kept (tests). */
    synchronized int size() {
        return results.size();
    }

    /** For tests: the kept job ids, oldest first. */
    synchronized Iterable<String> ids() {
        return java.util.List.copyOf(results.keySet());
    }
}
