package org.enjambre.coordinator.store;

import org.h2.store.fs.FileBase;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;

/**
 * A disk that can be made full: H2 file paths with the prefix {@code fulldisk:} are ordinary files
 * whose writes fail with "No space left on device" while {@link #full} is set — a full data directory
 * without root or a loop-mounted image.
 */
public final class FullDisk extends FilePathWrapper {
    private static volatile boolean full;

    static {
        FilePath.register(new FullDisk());
    }

    /** The JDBC URL of an embedded database in {@code dir} on this disk, with the coordinator's settings. */
    public static String url(Path dir) {
        return JdbcStore.h2Url(dir).replace("jdbc:h2:file:", "jdbc:h2:fulldisk:");
    }

    /** {@code base}, whose writes fail while the disk is full (for files H2 does not open, such as the journal). */
    static FileChannel channel(FileChannel base) {
        return new Channel(base);
    }

    public static void fill() {
        full = true;
    }

    public static void free() {
        full = false;
    }

    @Override
    public String getScheme() {
        return "fulldisk";
    }

    @Override
    public FileChannel open(String mode) throws IOException {
        return new Channel(getBase().open(mode));
    }

    private static void checkSpace() throws IOException {
        if (full) {
            throw new IOException("No space left on device");
        }
    }

    /** A file channel whose writes fail while the disk is full. */
    private static final class Channel extends FileBase {
        private final FileChannel base;

        Channel(FileChannel base) {
            this.base = base;
        }

        @Override
        public long size() throws IOException {
            return base.size();
        }

        @Override
        public long position() throws IOException {
            return base.position();
        }

        @Override
        public FileChannel position(long p) throws IOException {
            base.position(p);
            return this;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return base.read(dst);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return base.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            checkSpace();
            return base.write(src);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            checkSpace();
            return base.write(src, position);
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            checkSpace();
            base.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            checkSpace();
            base.force(metaData);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return base.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            base.close();
        }
    }
}
