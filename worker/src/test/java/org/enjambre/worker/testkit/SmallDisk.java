package org.enjambre.worker.testkit;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test support: a real in-memory disk of a fixed size (Jimfs, 4 KiB blocks) whose writes fail with an IOException when
 * it is full, and a filler file that takes its free space away and gives it back, as another program would.
 */
public final class SmallDisk implements AutoCloseable {
    public static final int BLOCK = 4096;
    private final FileSystem fs;
    private final Path filler;

    /** A disk of {@code bytes} (a multiple of {@link #BLOCK}). */
    public SmallDisk(long bytes) {
        this.fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setBlockSize(BLOCK).setMaxSize(bytes).setMaxCacheSize(0).build());
        this.filler = fs.getPath("/filler");
    }

    /** A path on this disk. */
    public Path path(String path) {
        return fs.getPath(path);
    }

    /** Bytes that may still be written. */
    public long free() {
        try {
            return Files.getFileStore(filler.getParent()).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Takes the disk's free space away until {@code leave} bytes (rounded down to blocks) stay free. */
    public void fillLeaving(long leave) {
        long take = (free() - leave) / BLOCK * BLOCK;
        if (take <= 0) {
            return;
        }
        try {
            Files.write(filler, new byte[(int) take], java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Gives back the space {@link #fillLeaving} took. */
    public void makeRoom() {
        try {
            Files.deleteIfExists(filler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        fs.close();
    }
}
