package org.enjambre.coordinator.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The embedded store's append-only journal: numbered segment files {@code enjambre-journal-<n>.log} in the
 * data directory, each a 4-byte magic number then records {@code [length:int][crc32c:int][payload]}.
 * One {@link #append} is one record, written with one {@code write} and one {@code fsync}: a record is the
 * unit of atomicity, and what {@link #append} returned from is on disk.
 *
 * <p>Invariants: only the active segment is appended to, and never again once the journal rolled away
 * from it; a segment's records are intact up to a possible torn tail, cut off when the journal opens;
 * after a failed append the next append starts a new segment, so a partial record can only ever sit at
 * the end of a segment. Segment numbers are never reused; the active segment is usually, not always, the
 * highest (a segment {@link #prepare}d before a roll after a failed append gets a lower number), which is
 * harmless: records are versioned, so the order of replay does not matter.
 *
 * <p>Not thread-safe, but for {@link #prepare}: the {@link Compactor} serializes the other calls.
 */
final class UnitJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UnitJournal.class);
    private static final Pattern NAME = Pattern.compile("enjambre-journal-(\\d{12})\\.log");
    private static final int MAGIC = 0x454e4a31; // "ENJ1"
    private static final int HEADER = 8;
    /** Larger lengths are damage, never a record: a group of 512 batches stays far below. */
    private static final int MAX_RECORD = 256 << 20;

    /** Creates a segment file; tests substitute one on a disk that fills up. */
    @FunctionalInterface
    interface Opener {
        FileChannel create(Path path) throws IOException;

        Opener PLAIN = path -> FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /** A new, empty segment, ready to become the active one. */
    record Segment(long number, FileChannel channel) {
    }

    private final Path dir;
    private final Opener files;
    /** The highest segment number created so far. */
    private final AtomicLong lastNumber;
    private FileChannel channel;
    private long segment;
    /** Bytes of the active segment that hold whole, acknowledged records (and its magic number). */
    private long size;
    private long records;
    /** Whether an append failed on the active segment: the next one starts a new segment. */
    private boolean broken;

    private UnitJournal(Path dir, Opener files, long lastNumber) {
        this.dir = dir;
        this.files = files;
        this.lastNumber = new AtomicLong(lastNumber);
    }

    /**
     * Hands every intact record of the segments in {@code dir} to {@code replay}, oldest first, cuts off a
     * torn or corrupt tail (a corrupt record with more after it stops that segment's replay; the whole
     * segment is first copied aside as {@code .corrupt} for a person), then starts a new active segment.
     */
    static UnitJournal open(Path dir, Opener files, Consumer<byte[]> replay) throws IOException {
        long last = 0;
        for (long n : segments(dir)) {
            replay(path(dir, n), replay);
            last = n;
        }
        UnitJournal journal = new UnitJournal(dir, files, last);
        Segment first = journal.prepare();
        journal.channel = first.channel();
        journal.segment = first.number();
        journal.size = 4;
        return journal;
    }

    /** Appends {@code payload} as one record and forces it to disk; on an exception nothing is acknowledged. */
    void append(byte[] payload) throws IOException {
        if (broken) {
            roll();
        }
        ByteBuffer frame = ByteBuffer.allocate(HEADER + payload.length);
        frame.putInt(payload.length).putInt(crc(payload, payload.length)).put(payload).flip();
        try {
            while (frame.hasRemaining()) {
                channel.write(frame, size + frame.position());
            }
            org.enjambre.coordinator.metrics.PathTrace.mark("store: written");
            channel.force(false);
        } catch (IOException e) {
            broken = true;
            try {
                channel.truncate(size); // best effort: replay cuts a partial record off anyway
            } catch (IOException ignored) {
                // the segment keeps a torn tail; it is never appended to again
            }
            throw e;
        }
        size += frame.limit();
        records++;
    }

    /**
     * Creates a new segment (file, magic, fsync of both it and the directory) without touching the active
     * one: safe beside any other call, so that a roll need not stall appends for those fsyncs.
     */
    Segment prepare() throws IOException {
        long n = lastNumber.incrementAndGet();
        return new Segment(n, create(n));
    }

    /** Makes {@code next} the active segment; returns its number. The old one is closed for good. */
    long roll(Segment next) throws IOException {
        FileChannel old = channel;
        channel = next.channel();
        segment = next.number();
        size = 4;
        records = 0;
        broken = false;
        old.close();
        return segment;
    }

    private void roll() throws IOException {
        roll(prepare());
    }

    /** After a failed append, starts a new segment so that appends can succeed again. */
    void repair() throws IOException {
        if (broken) {
            roll();
        }
    }

    /** Deletes every segment numbered below {@code segment} (their records are in the tables). */
    void deleteBefore(long segment) throws IOException {
        for (long n : segments(dir)) {
            if (n < segment) {
                Files.deleteIfExists(path(dir, n));
            }
        }
    }

    /** Bytes in the active segment. */
    long size() {
        return size;
    }

    /** Records in the active segment. */
    long records() {
        return records;
    }

    /** Closes the journal; with {@code tidy} (everything compacted) and no record in the active segment, deletes every segment. */
    void close(boolean tidy) {
        try {
            channel.close();
            if (tidy && records == 0 && !broken) {
                deleteBefore(Long.MAX_VALUE); // every other segment was compacted before this empty one became active
            }
        } catch (IOException e) {
            LOG.warn("closing the journal: {}", e.toString());
        }
    }

    @Override
    public void close() {
        close(false);
    }

    private FileChannel create(long n) throws IOException {
        Path path = path(dir, n);
        FileChannel c = files.create(path);
        try {
            ByteBuffer magic = ByteBuffer.allocate(4).putInt(MAGIC).flip();
            while (magic.hasRemaining()) {
                c.write(magic, magic.position());
            }
            c.force(false);
            syncDirectory(dir);
            return c;
        } catch (IOException e) {
            c.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /** Replays one segment; see {@link #open}. */
    private static void replay(Path path, Consumer<byte[]> replay) throws IOException {
        try (FileChannel c = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long length = c.size();
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            if (length < 4 || readFully(c, header.limit(4), 0).getInt(0) != MAGIC) {
                LOG.warn("journal segment {} has no journal header ({} bytes): skipped", path.getFileName(), length);
                return;
            }
            long offset = 4;
            int applied = 0;
            while (offset < length) {
                int size = length - offset < HEADER ? -1 : readFully(c, header.clear(), offset).getInt(0);
                if (size <= 0 || size > MAX_RECORD || size > length - offset - HEADER) {
                    break; // torn: the record does not fit in what was written
                }
                byte[] payload = readFully(c, ByteBuffer.allocate(size), offset + HEADER).array();
                if (crc(payload, size) != header.getInt(4)) {
                    if (offset + HEADER + size < length) {
                        Path aside = path.resolveSibling(path.getFileName() + ".corrupt");
                        Files.copy(path, aside, StandardCopyOption.REPLACE_EXISTING);
                        LOG.error("journal segment {}: record {} at byte {} fails its checksum; the {} bytes from there "
                                        + "are not applied (the segment is kept as {} for inspection)",
                                path.getFileName(), applied + 1, offset, length - offset, aside.getFileName());
                        c.truncate(offset);
                        c.force(true);
                        return;
                    }
                    break; // a torn last record: written in part before a crash
                }
                replay.accept(payload);
                applied++;
                offset += HEADER + size;
            }
            if (offset < length) {
                LOG.warn("journal segment {}: ignoring a torn last record ({} bytes at byte {}, a write cut short by a crash); "
                        + "{} records before it kept", path.getFileName(), length - offset, offset, applied);
                c.truncate(offset);
                c.force(true);
            }
        }
    }

    private static ByteBuffer readFully(FileChannel c, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            if (c.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("journal segment ended early");
            }
        }
        return buffer;
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    /** The segment numbers in {@code dir}, ascending. */
    private static List<Long> segments(Path dir) throws IOException {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "enjambre-journal-*.log")) {
            for (Path p : entries) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches()) {
                    out.add(Long.parseLong(m.group(1)));
                }
            }
        }
        out.sort(null);
        return out;
    }

    private static Path path(Path dir, long n) {
        return dir.resolve(String.format("enjambre-journal-%012d.log", n));
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
