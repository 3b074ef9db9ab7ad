package org.enjambre.coordinator.http;

/**
 * What one request may ask of a peer (README, Limits). Body limits are per route and checked before a
 * byte is buffered when the length is declared; all bodies together are bounded by {@code --max-buffered-mb}.
 */
public final class Limits {
    /** Bodies of job submissions (413 past it). */
    public static final long JOB_BYTES = 64L << 20;
    /** Bodies of work reports. */
    public static final long REPORT_BYTES = 64L << 20;
    /** WebAssembly modules uploaded with {@code POST /api/v1/modules}. */
    public static final int MODULE_BYTES = 16 << 20;
    /** Bodies of file manifests ({@code POST /api/v1/files}): up to 100,000 chunk hashes. */
    public static final long MANIFEST_BYTES = 8L << 20;
    /** Bodies of {@code POST /api/v1/chunks/present}: up to {@link #MAX_PRESENT} hashes. */
    public static final long PRESENT_BYTES = 8L << 20;
    /** Hashes per {@code POST /api/v1/chunks/present}. */
    public static final int MAX_PRESENT = 100_000;
    /** Bodies of worker registrations. */
    public static final long REGISTER_BYTES = 16 << 10;
    /** Bodies of fetches: room for 1,000 cached file ids of 64 characters (locality scheduling). */
    public static final long FETCH_BYTES = 80 << 10;
    /** Bodies of work syncs: up to 4,096 task ids of up to 200 characters. */
    public static final long SYNC_BYTES = 1L << 20;
    /** Default budget of request-body bytes buffered at once by one peer. */
    public static final long DEFAULT_BUFFERED_BYTES = 256L << 20;
    /** Tasks per fetch. */
    public static final int MAX_FETCH = 256;
    /**
     * A fetch answered with at least this many tasks is not counted against its worker's fetch limit: the limit is
     * against floods of requests, and a worker that drains full batches fast (short tasks on many cores: 256 a fetch
     * at 1,200 fetches a minute capped a worker at ~5,100 tasks/s, tenth session) is the best use of a fetch.
     */
    public static final int UNCOUNTED_FETCH = 64;
    /** Longest long-poll of a fetch. */
    public static final int MAX_WAIT_MS = 30_000;
    /** Results per report. */
    public static final int MAX_REPORT = 1024;
    /** Characters of a reported error message kept. */
    public static final int MAX_ERROR_CHARS = 4000;

    private Limits() {
    }
}
