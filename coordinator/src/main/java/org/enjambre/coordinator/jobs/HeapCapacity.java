package org.enjambre.coordinator.jobs;

import org.enjambre.coordinator.errors.UnavailableException;

import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Whether the cluster's heap can hold a job's units. A queued unit costs about {@link #BYTES_PER_UNIT}
 * of heap on the peer owning it (the map entry in binary form plus the scheduler's index; measured by
 * the benchmark's scale probe: 695 B), once more per backup copy; units spread evenly over the peers.
 * A job may take at most {@link #SHARE} of this peer's free heap for its share.
 *
 * <p>This peer's free heap stands for every peer's (peers usually run with the same {@code -Xmx}).
 */
public final class HeapCapacity {
    /** Heap per queued unit and copy, rounded up from the measured 695 B. */
    public static final long BYTES_PER_UNIT = 800;
    /** The most of this peer's free heap one job's share may take. */
    public static final double SHARE = 0.5;
    /** The most of the heap the unfinished jobs found at start may take together. */
    public static final double START_SHARE = 0.8;

    private final LongSupplier freeHeap;
    private final IntSupplier peers;
    private final IntSupplier backups;

    public HeapCapacity(LongSupplier freeHeap, IntSupplier peers, IntSupplier backups) {
        this.freeHeap = freeHeap;
        this.peers = peers;
        this.backups = backups;
    }

    /** This JVM's free heap: the most it may grow to, less what is in use now (garbage included: pessimistic). */
    public static long jvmFreeHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /** The heap one peer needs for {@code units} units, with backups, spread over {@code peers} peers. */
    static long bytesPerPeer(long units, int peers, int backups) {
        int p = Math.max(1, peers);
        int copies = 1 + Math.min(Math.max(0, backups), p - 1);
        return (long) Math.ceil((double) units * BYTES_PER_UNIT * copies / p);
    }

    /**
     * Refuses a job of {@code workUnits} units that this peer's share of would take more than
     * {@link #SHARE} of its free heap: 503 {@code INSUFFICIENT_MEMORY} naming {@code workUnits}.
     */
    void check(int workUnits) {
        int p = Math.max(1, peers.getAsInt());
        long need = bytesPerPeer(workUnits, p, backups.getAsInt());
        long free = freeHeap.getAsLong();
        if (need > SHARE * free) {
            long fits = (long) Math.floor(SHARE * free / Math.max(1.0, (double) need / workUnits));
            throw new UnavailableException("INSUFFICIENT_MEMORY", String.format(Locale.ROOT,
                    "the cluster cannot hold %d work units now: they need about %d MiB of heap on each of %d peer(s) "
                            + "(~%d B per unit and copy), more than half of this peer's %d MiB of free heap; use at most "
                            + "%d workUnits, wait for running jobs to finish, or add peers or heap",
                    workUnits, need >> 20, p, BYTES_PER_UNIT, free >> 20, fits), "workUnits", 30);
        }
    }
}
