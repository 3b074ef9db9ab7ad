package org.enjambre.worker.data;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The free space of the disk the chunk cache is on, and the room the cache leaves to everything else on it (the task
 * journal above all): a {@link #reserve()} of 1/16 of the disk, at most {@link #MAX_RESERVE}. Works on any file system
 * whose {@link FileStore} reports its space (the default one; in-memory ones in tests). When the store cannot say, it
 * counts as having room: writes then fail as they would without the check.
 */
final class DiskSpace {
    /** The most room the cache leaves free. */
    static final long MAX_RESERVE = 64L << 20;

    private final FileStore store;
    private final long reserve;

    private DiskSpace(FileStore store, long reserve) {
        this.store = store;
        this.reserve = reserve;
    }

    /** The disk that holds {@code dir}. */
    static DiskSpace of(Path dir) throws IOException {
        FileStore store = Files.getFileStore(dir);
        long total;
        try {
            total = store.getTotalSpace();
        } catch (IOException | UnsupportedOperationException e) {
            total = 0;
        }
        return new DiskSpace(store, total <= 0 ? 0 : Math.min(MAX_RESERVE, total / 16));
    }

    /** Bytes the cache leaves free on the disk. */
    long reserve() {
        return reserve;
    }

    /** Bytes this process may still write to the disk; {@link Long#MAX_VALUE} when the store cannot say. */
    long free() {
        try {
            long usable = store.getUsableSpace();
            return usable < 0 ? Long.MAX_VALUE : usable;
        } catch (IOException | UnsupportedOperationException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Whether {@code bytes} more may be written and still leave the reserve free. */
    boolean hasRoomFor(long bytes) {
        long free = free();
        return free == Long.MAX_VALUE || free - reserve >= bytes;
    }

    /**
     * Whether a write that failed with {@code e} failed because the disk is full: the system said so (ENOSPC, EDQUOT),
     * or fewer than {@code stillNeeded} bytes plus the reserve are free now.
     */
    boolean full(IOException e, long stillNeeded) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return message.contains("no space left") || message.contains("quota exceeded") || !hasRoomFor(Math.max(1, stillNeeded));
    }
}
