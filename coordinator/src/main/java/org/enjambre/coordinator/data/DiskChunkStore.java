package org.enjambre.coordinator.data;

import org.enjambre.coordinator.errors.InvalidInputException;
import org.enjambre.coordinator.errors.UnavailableException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chunks as files under one directory: {@code <root>/<first two hex digits>/<sha256>}, written to
 * {@code <root>/tmp/} first (hashed while written, forced to disk) and renamed into place atomically, so a
 * crash leaves at worst a temporary file, which the next start deletes. An optional quota bounds the bytes
 * stored; a write past it, or one that finds less than {@link #RESERVE_BYTES} free on the disk, is refused
 * with 503 {@code DISK_FULL} and leaves nothing behind.
 */
public final class DiskChunkStore implements ChunkStore {
    /** Free disk space a write always leaves (for the database, logs and the other chunks in flight). */
    static final long RESERVE_BYTES = 64L << 20;
    private static final long DISK_FULL_RETRY_SECONDS = 60;
    private static final int BUFFER = 64 << 10;

    private final Path root;
    private final Path tmp;
    private final long quota;
    private final AtomicLong usage = new AtomicLong();
    /** Bytes being written now (counted against the quota before they are stored). */
    private final AtomicLong inFlight = new AtomicLong();

    /** @param quotaBytes the most bytes of chunks to keep, 0 for no quota (the disk's free space only) */
    public DiskChunkStore(Path root, long quotaBytes) throws IOException {
        if (quotaBytes < 0) {
            throw new IllegalArgumentException("the chunk quota must be 0 (none) or positive");
        }
        this.root = root;
        this.tmp = root.resolve("tmp");
        this.quota = quotaBytes;
        Files.createDirectories(tmp);
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmp)) {
            for (Path p : leftovers) {
                Files.deleteIfExists(p);
            }
        }
        for (String sha : list()) {
            usage.addAndGet(size(sha).orElse(0));
        }
    }

    public Path root() {
        return root;
    }

    private Path path(String sha256) {
        return root.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    @Override
    public Put put(String sha256, InputStream in, long maxBytes) throws IOException {
        OptionalLong existing = size(sha256);
        if (existing.isPresent()) {
            // Stored already: the body is still read and checked, so a wrong one is refused the same way, never kept.
            verify(sha256, in, maxBytes);
            return new Put(existing.getAsLong(), false);
        }
        reserve(maxBytes);
        Path temp = tmp.resolve(sha256 + "." + UUID.randomUUID());
        boolean kept = false;
        try {
            MessageDigest md = Hashes.sha256();
            long written = 0;
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(ch)) {
                byte[] buf = new byte[BUFFER];
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    written += n;
                    if (written > maxBytes) {
                        throw new ChunkTooLargeException(maxBytes);
                    }
                    md.update(buf, 0, n);
                    write(out, buf, n);
                }
                ch.force(true);
            }
            checkHash(sha256, md, written);
            Path dest = path(sha256);
            Files.createDirectories(dest.getParent());
            try {
                Files.move(temp, dest, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, dest, StandardCopyOption.REPLACE_EXISTING);
            }
            kept = true;
            usage.addAndGet(written);
            return new Put(written, true);
        } finally {
            inFlight.addAndGet(-maxBytes);
            if (!kept) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** Reads {@code in} to its end, hashing it, keeping nothing; refuses it as {@link #put} would. */
    private static void verify(String sha256, InputStream in, long maxBytes) throws IOException {
        MessageDigest md = Hashes.sha256();
        long read = 0;
        byte[] buf = new byte[BUFFER];
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
            read += n;
            if (read > maxBytes) {
                throw new ChunkTooLargeException(maxBytes);
            }
            md.update(buf, 0, n);
        }
        checkHash(sha256, md, read);
    }

    private static void checkHash(String sha256, MessageDigest md, long bytes) {
        String actual = Hashes.hex(md.digest());
        if (!actual.equals(sha256)) {
            throw new InvalidInputException("HASH_MISMATCH", "the chunk's bytes (" + bytes + ") hash to " + actual
                    + ", not to " + sha256 + " named in the request", "sha256");
        }
    }

    /** Counts a write of up to {@code bytes} against the quota and the disk's free space, or refuses it. */
    private void reserve(long bytes) throws IOException {
        long pending = inFlight.addAndGet(bytes);
        if (quota > 0 && usage.get() + pending > quota) {
            inFlight.addAndGet(-bytes);
            throw diskFull("its chunk quota of " + (quota >> 20) + " MiB is used up (" + (usage.get() >> 20) + " MiB stored)");
        }
        long free = Files.getFileStore(tmp).getUsableSpace();
        if (free - pending < RESERVE_BYTES) {
            inFlight.addAndGet(-bytes);
            throw diskFull("its disk has " + (free >> 20) + " MiB free");
        }
    }

    private void write(OutputStream out, byte[] buf, int n) throws IOException {
        try {
            out.write(buf, 0, n);
        } catch (IOException e) {
            if (Files.getFileStore(tmp).getUsableSpace() < RESERVE_BYTES) {
                throw diskFull("its disk is full");
            }
            throw e;
        }
    }

    private static UnavailableException diskFull(String why) {
        return new UnavailableException("DISK_FULL", "this coordinator cannot store the chunk: " + why
                + "; nothing was kept. Retry later or at another coordinator", DISK_FULL_RETRY_SECONDS);
    }

    @Override
    public InputStream get(String sha256, long offset, long length) throws IOException {
        FileChannel ch = FileChannel.open(path(sha256), StandardOpenOption.READ);
        try {
            if (offset < 0 || length < 0 || offset + length > ch.size()) {
                throw new IllegalArgumentException("bytes " + offset + "+" + length + " are outside chunk " + sha256);
            }
            ch.position(offset);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return new BoundedStream(Channels.newInputStream(ch), length);
    }

    @Override
    public OptionalLong size(String sha256) {
        if (!Hashes.valid(sha256)) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Files.size(path(sha256)));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public OptionalLong storedAt(String sha256) {
        if (!Hashes.valid(sha256)) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Files.getLastModifiedTime(path(sha256)).toMillis());
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public boolean delete(String sha256) throws IOException {
        OptionalLong size = size(sha256);
        try {
            Files.delete(path(sha256));
        } catch (NoSuchFileException e) {
            return false;
        }
        usage.addAndGet(-size.orElse(0));
        return true;
    }

    @Override
    public List<String> list() throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, p -> p.getFileName().toString().length() == 2)) {
            for (Path d : dirs) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(d)) {
                    for (Path f : files) {
                        if (Hashes.valid(f.getFileName().toString())) {
                            out.add(f.getFileName().toString());
                        }
                    }
                }
            }
        }
        return out;
    }

    @Override
    public long usage() {
        return usage.get();
    }
}
