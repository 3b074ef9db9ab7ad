package org.enjambre.worker.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Verified chunks on the worker's disk, {@code <dir>/<sha256>}, at most {@code quota} bytes: a chunk is written to
 * a temporary file while hashed and renamed into place only when its hash is right; past the quota the least
 * recently used chunks are deleted (a chunk being read stays readable: its open file outlives the name). Use order
 * survives restarts through the files' modification times. On a disk smaller than the quota the cache evicts to keep
 * room for the chunk being written and the rest of the worker ({@link DiskSpace}); a write the disk refuses anyway
 * leaves nothing behind ({@link CacheWriteException}). Invariant: {@code used} is the sum of {@code sizes}, which are
 * the chunks renamed into place (never a temporary file). Thread-safe (one lock); reads and writes of chunk bytes
 * happen outside it.
 */
public final class ChunkCache {
    private final Path dir;
    private final Path tmp;
    private final long quota;
    /** Size of each cached chunk, least recently used first. */
    private final LinkedHashMap<String, Long> sizes = new LinkedHashMap<>(16, 0.75f, true);
    private final java.time.Clock clock;
    private final DiskSpace disk;
    private long used;

    public ChunkCache(Path dir, long quotaBytes, java.time.Clock clock) throws IOException {
        if (quotaBytes < 1) {
            throw new IllegalArgumentException("the cache quota must be positive");
        }
        this.dir = dir;
        this.tmp = dir.resolve("tmp");
        this.quota = quotaBytes;
        this.clock = clock;
        Files.createDirectories(tmp);
        this.disk = DiskSpace.of(dir);
        try (DirectoryStream<Path> left = Files.newDirectoryStream(tmp)) {
            for (Path p : left) {
                Files.deleteIfExists(p);
            }
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, p -> Sha256.valid(p.getFileName().toString()))) {
            files.forEach(found::add);
        }
        found.sort((a, b) -> modified(a).compareTo(modified(b)));
        for (Path p : found) {
            long size = Files.size(p);
            sizes.put(p.getFileName().toString(), size);
            used += size;
        }
        synchronized (this) {
            evict();
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /** The most bytes of chunks kept. */
    public long quota() {
        return quota;
    }

    /** The cached chunk's file, marked as just used; empty when it is not cached. */
    public Optional<Path> get(String sha256) {
        synchronized (this) {
            if (sizes.get(sha256) == null) {
                return Optional.empty();
            }
        }
        Path p = dir.resolve(sha256);
        try {
            Files.setLastModifiedTime(p, FileTime.fromMillis(clock.millis()));
        } catch (IOException e) {
            synchronized (this) {
                forget(sha256);
            }
            return Optional.empty();
        }
        return Optional.of(p);
    }

    /** As {@link #put(String, InputStream, long, long)} for a chunk of unknown length. */
    public Path put(String sha256, InputStream in, long maxBytes) throws IOException {
        return put(sha256, in, maxBytes, 0);
    }

    /**
     * Caches the bytes of {@code in} as chunk {@code sha256} if they hash to it, then evicts past the quota. Before
     * writing, least recently used chunks are evicted until the disk has room for {@code expectedBytes} (the chunk's
     * length by its manifest, 0 when unknown) and the {@link DiskSpace#reserve() reserve}: the cache never takes the
     * task journal's last bytes. A failed write leaves nothing behind: the temporary file is deleted and the chunk
     * is neither kept nor counted.
     *
     * @throws BadChunkException   when they hash to something else or pass {@code maxBytes} (nothing is kept)
     * @throws CacheWriteException when this disk refused the bytes (full, or another local error); on a full disk the
     *                             least recently used chunks are evicted to make room first ({@link CacheWriteException#freed()})
     * @throws IOException         when {@code in} failed (the source, not this disk)
     */
    public Path put(String sha256, InputStream in, long maxBytes, long expectedBytes) throws IOException {
        long freed = makeRoomFor(expectedBytes);
        Path temp = tmp.resolve(sha256 + "." + UUID.randomUUID());
        long[] written = {0};
        try {
            long n = write(sha256, in, temp, maxBytes, written);
            Path dest = dir.resolve(sha256);
            try {
                org.enjambre.worker.store.AtomicFiles.moveIntoPlace(temp, dest);
            } catch (IOException e) {
                throw new LocalWriteFailure(e);
            }
            synchronized (this) {
                Long old = sizes.put(sha256, n);
                used += n - (old == null ? 0 : old);
                evict();
            }
            return dest;
        } catch (LocalWriteFailure f) {
            boolean full = disk.full(f.cause, Math.max(expectedBytes - written[0], 1));
            Files.deleteIfExists(temp);
            long more = full ? makeRoom(Math.max(expectedBytes, written[0])) : 0;
            throw new CacheWriteException(full, freed + more, f.cause.getMessage() == null ? f.cause.toString() : f.cause.getMessage(), f.cause);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Evicts least recently used chunks until the disk has room for a chunk of {@code expectedBytes} (0 when unknown)
     * and the reserve; returns the bytes freed. Called before a download, so that a full disk costs no transfer.
     *
     * @throws CacheWriteException (disk full) when even an empty cache leaves too little room
     */
    public long makeRoomFor(long expectedBytes) throws CacheWriteException {
        long freed = makeRoom(expectedBytes);
        if (!disk.hasRoomFor(expectedBytes)) {
            throw new CacheWriteException(true, freed, dir + " has " + disk.free() + " bytes free, the chunk needs "
                    + (expectedBytes > 0 ? expectedBytes + " bytes" : "room") + " and " + disk.reserve()
                    + " bytes stay free for the task journal", null);
        }
        return freed;
    }

    /** Copies {@code in} to {@code temp} while hashing it; returns its length. Failures of this disk are {@link LocalWriteFailure}s. */
    private static long write(String sha256, InputStream in, Path temp, long maxBytes, long[] written) throws IOException {
        MessageDigest md = Sha256.digest();
        OutputStream out;
        try {
            out = Files.newOutputStream(temp);
        } catch (IOException e) {
            throw new LocalWriteFailure(e);
        }
        try {
            byte[] buf = new byte[64 << 10];
            for (int r = in.read(buf); r >= 0; r = in.read(buf)) {
                if (written[0] + r > maxBytes) {
                    throw new BadChunkException("chunk " + sha256 + " is longer than " + maxBytes + " bytes");
                }
                md.update(buf, 0, r);
                try {
                    out.write(buf, 0, r);
                } catch (IOException e) {
                    throw new LocalWriteFailure(e);
                }
                written[0] += r;
            }
        } catch (IOException | RuntimeException e) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the first failure is the one to report
            }
            throw e;
        }
        try {
            out.close();
        } catch (IOException e) {
            throw new LocalWriteFailure(e);
        }
        String actual = HexFormat.of().formatHex(md.digest());
        if (!actual.equals(sha256)) {
            throw new BadChunkException("chunk " + sha256 + " arrived as bytes hashing to " + actual);
        }
        return written[0];
    }

    /**
     * Evicts least recently used chunks (the newest too, if need be) until the disk has room for {@code bytes} and the
     * reserve; returns the bytes freed. A chunk being read stays readable: its open file outlives the name.
     */
    private long makeRoom(long bytes) {
        long freed = 0;
        while (!disk.hasRoomFor(bytes)) {
            Map.Entry<String, Long> oldest;
            synchronized (this) {
                Iterator<Map.Entry<String, Long>> it = sizes.entrySet().iterator();
                if (!it.hasNext()) {
                    return freed;
                }
                oldest = it.next();
                it.remove();
                used -= oldest.getValue();
            }
            try {
                Files.deleteIfExists(dir.resolve(oldest.getKey()));
                freed += oldest.getValue();
            } catch (IOException e) {
                return freed; // forgotten, as a chunk that cannot be deleted is no use; it stays on the disk
            }
        }
        return freed;
    }

    /** Bytes cached now. */
    public synchronized long used() {
        return used;
    }

    public synchronized boolean contains(String sha256) {
        return sizes.containsKey(sha256);
    }

    /** Deletes least recently used chunks until the cache fits its quota (the newest one always stays). */
    private void evict() {
        Iterator<Map.Entry<String, Long>> it = sizes.entrySet().iterator();
        while (used > quota && sizes.size() > 1 && it.hasNext()) {
            Map.Entry<String, Long> e = it.next();
            try {
                Files.deleteIfExists(dir.resolve(e.getKey()));
            } catch (IOException ex) {
                continue;
            }
            used -= e.getValue();
            it.remove();
        }
    }

    private void forget(String sha256) {
        Long size = sizes.remove(sha256);
        if (size != null) {
            used -= size;
        }
    }

    /** A write to this disk failed (not a read of the source): carries the cause inside {@link #put}. */
    private static final class LocalWriteFailure extends IOException {
        final IOException cause;

        LocalWriteFailure(IOException cause) {
            super(cause);
            this.cause = cause;
        }
    }

    /** Bytes that are not the chunk they claim to be. */
    public static final class BadChunkException extends IOException {
        public BadChunkException(String message) {
            super(message);
        }
    }
}
