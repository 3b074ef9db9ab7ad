package org.enjambre.worker.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * An append-only file of frames, each {@code [length:int][crc32c:int][payload]}. One {@link #append}
 * is one frame, written with one {@code write} and (when asked) one {@code fsync}: a frame is the unit
 * of atomicity. A frame cut short by a crash, or whose checksum does not match, ends the file: it and
 * everything after it are ignored and cut off when the file is opened, never thrown at the caller.
 *
 * <p>{@link #rewrite} replaces the whole file atomically (temporary file, fsync, rename, directory
 * fsync): that is how the journal compacts. Not thread-safe: {@link TaskJournal} serializes calls.
 */
final class JournalFile implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(JournalFile.class.getName());
    static final int HEADER = 8;

    /** Forces a channel to disk; tests count the calls. */
    @FunctionalInterface
    interface Sync {
        void force(FileChannel channel) throws IOException;

        Sync FSYNC = channel -> channel.force(false);
    }

    private final Path path;
    private final Sync sync;
    private FileChannel channel;
    private long size;
    private long syncs;

    private JournalFile(Path path, Sync sync, FileChannel channel, long size) {
        this.path = path;
        this.sync = sync;
        this.channel = channel;
        this.size = size;
    }

    /**
     * Opens (creating) the journal at {@code path}, hands every intact frame's payload to {@code frames}
     * in order, and cuts off a torn or corrupt tail.
     */
    static JournalFile open(Path path, Sync sync, List<byte[]> frames) throws IOException {
        Objects.requireNonNull(sync, "sync");
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long length = channel.size();
            long good = readFrames(channel, length, frames);
            if (good < length) {
                LOG.warning("ignoring " + (length - good) + " byte(s) at the end of " + path
                        + " (a write cut short by a crash, or damage); " + frames.size() + " intact record batch(es) kept");
                channel.truncate(good);
                sync.force(channel);
            }
            channel.position(good);
            return new JournalFile(path, sync, channel, good);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Hands every intact frame of the journal at {@code path} to {@code frames}, changing nothing (none when absent). */
    static void read(Path path, List<byte[]> frames) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            readFrames(channel, channel.size(), frames);
        }
    }

    /** Reads frames from the start; returns the offset just past the last intact one. */
    private static long readFrames(FileChannel channel, long length, List<byte[]> frames) throws IOException {
        long offset = 0;
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        while (length - offset >= HEADER) {
            header.clear();
            readFully(channel, header, offset);
            header.flip();
            int size = header.getInt();
            int crc = header.getInt();
            if (size <= 0 || size > length - offset - HEADER) {
                return offset;
            }
            ByteBuffer payload = ByteBuffer.allocate(size);
            readFully(channel, payload, offset + HEADER);
            if (crc(payload.array()) != crc) {
                return offset;
            }
            frames.add(payload.array());
            offset += HEADER + size;
        }
        return offset;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("journal ended early");
            }
            at += n;
        }
    }

    /** Appends {@code payload} as one frame; forces it to disk when {@code durable}. */
    void append(byte[] payload, boolean durable) throws IOException {
        ByteBuffer frame = frame(payload);
        try {
            while (frame.hasRemaining()) {
                channel.write(frame);
            }
        } catch (IOException e) {
            // Cut a partial frame off, so that later frames are not hidden behind it.
            try {
                channel.truncate(size);
                channel.position(size);
            } catch (IOException ignored) {
                // the next open cuts it off instead, with what follows
            }
            throw e;
        }
        size += frame.limit();
        if (durable) {
            force();
        }
    }

    /** Forces everything appended so far to disk. */
    void force() throws IOException {
        sync.force(channel);
        syncs++;
    }

    /**
     * Replaces the file with {@code payloads}, one frame each, atomically. When it fails (a full disk), the temporary
     * file is deleted and the journal goes on as it was: appends keep going to the old file.
     */
    void rewrite(List<byte[]> payloads) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + path.getFileName() + AtomicFiles.TEMP_SUFFIX);
        long written = 0;
        FileChannel reopened;
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (byte[] payload : payloads) {
                    ByteBuffer frame = frame(payload);
                    while (frame.hasRemaining()) {
                        written += out.write(frame);
                    }
                }
                sync.force(out);
                syncs++;
            }
            AtomicFiles.moveIntoPlace(temp, path);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        AtomicFiles.syncDirectory(dir);
        reopened = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        channel.close(); // the old file, already replaced by name
        channel = reopened;
        channel.position(written);
        size = written;
    }

    /** The file's length in bytes. */
    long size() {
        return size;
    }

    /** How many times this file was forced to disk. */
    long syncs() {
        return syncs;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static ByteBuffer frame(byte[] payload) {
        ByteBuffer frame = ByteBuffer.allocate(HEADER + payload.length);
        frame.putInt(payload.length).putInt(crc(payload)).put(payload).flip();
        return frame;
    }

    static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length);
        return (int) crc.getValue();
    }

    /** Splits {@code items} into lists whose estimated sizes stay under {@code maxBytes} each (at least one item each). */
    static <T> List<List<T>> chunks(List<T> items, java.util.function.ToLongFunction<T> sizeOf, long maxBytes) {
        List<List<T>> chunks = new ArrayList<>();
        List<T> current = new ArrayList<>();
        long bytes = 0;
        for (T item : items) {
            long size = sizeOf.applyAsLong(item);
            if (!current.isEmpty() && bytes + size > maxBytes) {
                chunks.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(item);
            bytes += size;
        }
        if (!current.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
    }
}
