package org.enjambre.worker.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 * survives restarts through the files' modification times. Invariant: {@code used} is the sum of {@code sizes}.
 * Thread-safe (one lock); reads and writes of chunk bytes happen outside it.
 */
public final class ChunkCache {
    private final Path dir;
    private final Path tmp;
    private final long quota;
    /** Size of each cached chunk, least recently used first. */
    private final LinkedHashMap<String, Long> sizes = new LinkedHashMap<>(16, 0.75f, true);
    private final java.time.Clock clock;
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

    /**
     * Caches the bytes of {@code in} as chunk {@code sha256} if they hash to it, then evicts past the quota.
     *
     * @throws BadChunkException when they hash to something else or pass {@code maxBytes} (nothing is kept)
     */
    public Path put(String sha256, InputStream in, long maxBytes) throws IOException {
        Path temp = tmp.resolve(sha256 + "." + UUID.randomUUID());
        MessageDigest md = Sha256.digest();
        long n = 0;
        try {
            try (OutputStream out = Files.newOutputStream(temp)) {
                byte[] buf = new byte[64 << 10];
                for (int r = in.read(buf); r >= 0; r = in.read(buf)) {
                    n += r;
                    if (n > maxBytes) {
                        throw new BadChunkException("chunk " + sha256 + " is longer than " + maxBytes + " bytes");
                    }
                    md.update(buf, 0, r);
                    out.write(buf, 0, r);
                }
            }
            String actual = HexFormat.of().formatHex(md.digest());
            if (!actual.equals(sha256)) {
                throw new BadChunkException("chunk " + sha256 + " arrived as bytes hashing to " + actual);
            }
            Path dest = dir.resolve(sha256);
            try {
                Files.move(temp, dest, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, dest, StandardCopyOption.REPLACE_EXISTING);
            }
            synchronized (this) {
                Long old = sizes.put(sha256, n);
                used += n - (old == null ? 0 : old);
                evict();
            }
            return dest;
        } finally {
            Files.deleteIfExists(temp);
        }
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

    /** Bytes that are not the chunk they claim to be. */
    public static final class BadChunkException extends IOException {
        public BadChunkException(String message) {
            super(message);
        }
    }
}
