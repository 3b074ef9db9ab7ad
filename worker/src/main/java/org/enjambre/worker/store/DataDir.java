package org.enjambre.worker.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A worker's data directory, locked for the lifetime of one worker so that two workers never share
 * one. Layout: {@code identity.json}, {@code journal} (tasks held and results not acknowledged, see
 * {@link TaskJournal}), {@code checkpoints/}, {@code blobs/}, {@code lock}; an older worker's {@code tasks/}
 * and {@code outbox/} are imported into the journal. Once closed, the stores refuse to write, so a closed (or aborted)
 * worker leaves the directory as it was.
 */
public final class DataDir implements Closeable {
    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private volatile boolean open = true;

    private DataDir(Path root, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Creates the directory and its layout when missing and locks it.
     *
     * @throws IOException when it cannot be created or another worker holds it
     */
    public static DataDir open(Path root) throws IOException {
        Path dir = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            for (String sub : new String[] {"checkpoints", "blobs"}) {
                Files.createDirectories(dir.resolve(sub));
                AtomicFiles.deleteTemporaries(dir.resolve(sub));
            }
            AtomicFiles.deleteTemporaries(dir);
        } catch (IOException e) {
            throw new IOException("cannot use data directory " + dir + ": " + describe(e), e);
        }
        FileChannel channel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot lock data directory " + dir + ": " + describe(e), e);
        }
        if (lock == null) {
            channel.close();
            throw new IOException("data directory " + dir + " is in use by another worker; give this one its own --data-dir");
        }
        return new DataDir(dir, channel, lock);
    }

    public Path root() {
        return root;
    }

    public Path identityFile() {
        return root.resolve("identity.json");
    }

    public Path checkpoints() {
        return root.resolve("checkpoints");
    }

    public Path blobs() {
        return root.resolve("blobs");
    }

    public boolean isOpen() {
        return open;
    }

    /** Throws when the directory was closed: nothing may be written any more. */
    void ensureOpen() throws IOException {
        if (!open) {
            throw new IOException("data directory " + root + " is closed");
        }
    }

    /** Releases the lock; the stores stop writing. Idempotent. */
    @Override
    public void close() throws IOException {
        if (!open) {
            return;
        }
        open = false;
        try {
            lock.release();
        } finally {
            lockChannel.close();
        }
    }

    static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : " " + message);
    }
}
