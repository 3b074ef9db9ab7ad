package org.enjambre.worker.data;

import org.enjambre.workunits.app.InputFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link InputFiles} of this worker's units: a file read as its chunks one after another, from the cache when
 * they are there; the chunks ahead of the reader, up to the fetcher's {@link ChunkFetcher#window window}, are
 * downloaded (and verified) in parallel while it reads. At most one chunk file is open at a time. A chunk fetched
 * ahead but evicted from a small cache before it was read is fetched again.
 *
 * <p>A read from an offset starts at the chunk holding it (offset / chunk size): the chunks before it are neither
 * fetched nor read. Every chunk opened must have the length the manifest's size and chunk size give it, so that an
 * offset names the same byte on every worker (the file id commits to the chunks, not to those two numbers).
 */
public final class WorkerFiles implements InputFiles {
    private final ChunkFetcher fetcher;

    public WorkerFiles(ChunkFetcher fetcher) {
        this.fetcher = fetcher;
    }

    @Override
    public InputStream open(String fileId) throws IOException {
        ChunkFetcher.Manifest m = fetcher.manifest(fileId);
        return new Chunks(fetcher, m, 0, 0);
    }

    @Override
    public InputStream open(String fileId, long offset) throws IOException {
        ChunkFetcher.Manifest m = fetcher.manifest(fileId);
        if (offset < 0 || offset > m.size()) {
            throw new IOException("offset " + offset + " is outside file " + fileId + " of " + m.size() + " bytes");
        }
        if (!m.ranged()) {
            return InputFiles.super.open(fileId, offset); // an older coordinator's manifest: read up to the offset
        }
        if (offset == m.size()) {
            return InputStream.nullInputStream();
        }
        int first = (int) (offset / m.chunkSize());
        return new Chunks(fetcher, m, first, offset - (long) first * m.chunkSize());
    }

    @Override
    public long size(String fileId) throws IOException {
        return fetcher.manifest(fileId).size();
    }

    /** The chunks of one file from chunk {@code next} on, as one stream; a chunk that cannot be had fails the read. */
    private static final class Chunks extends InputStream {
        private final ChunkFetcher fetcher;
        private final ChunkFetcher.Manifest file;
        private final List<String> chunks;
        private final int window;
        /** Downloads of chunks {@code next ..} (at most {@code window}), in order. */
        private final Deque<CompletableFuture<Path>> ahead = new ArrayDeque<>();
        private int next;
        private int requested;
        /** Bytes still to skip at the start of the first chunk opened. */
        private long skip;
        private InputStream current;
        /** The size of every chunk but the last, once known; -1 before. */
        private long chunkBytes = -1;

        Chunks(ChunkFetcher fetcher, ChunkFetcher.Manifest file, int first, long skip) {
            this.fetcher = fetcher;
            this.file = file;
            this.chunks = file.chunks();
            this.window = fetcher.window(file);
            this.next = first;
            this.requested = first;
            this.skip = skip;
        }

        /** Opens chunk {@code next}, keeping the next {@code window} chunks on their way. */
        private InputStream openNext() throws IOException {
            while (requested < chunks.size() && requested < next + window) {
                ahead.add(fetcher.chunkAsync(file, requested));
                requested++;
            }
            int index = next++;
            String sha = chunks.get(index);
            Path path = ChunkFetcher.await(ahead.removeFirst(), sha);
            InputStream in;
            try {
                in = Files.newInputStream(path);
            } catch (NoSuchFileException e) {
                path = ChunkFetcher.await(fetcher.chunkAsync(file, index), sha); // evicted since it arrived
                in = Files.newInputStream(path);
            }
            try {
                if (file.ranged() && Files.size(path) != file.chunkLength(index)) {
                    throw new IOException("chunk " + index + " of file " + file.id() + " has " + Files.size(path)
                            + " bytes, not the " + file.chunkLength(index) + " its manifest's size and chunk size give it");
                }
                in.skipNBytes(skip);
                skip = 0;
                return in;
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (true) {
                if (current == null) {
                    if (next >= chunks.size()) {
                        return -1;
                    }
                    current = openNext();
                }
                int n = current.read(b, off, len);
                if (n >= 0) {
                    return n;
                }
                current.close();
                current = null;
            }
        }

        /**
         * Skips whole chunks without fetching them (their size is that of chunk 0, fetched once: every chunk but the
         * last has the file's chunk size), and bytes within a chunk by seeking in its cached file.
         */
        @Override
        public long skip(long n) throws IOException {
            long done = 0;
            while (done < n) {
                if (current == null) {
                    if (next >= chunks.size()) {
                        break;
                    }
                    if (next < chunks.size() - 1 && n - done >= chunkBytes()) {
                        if (!ahead.isEmpty()) {
                            ahead.removeFirst(); // fetched ahead, not needed now (it stays in the cache)
                        }
                        next++;
                        requested = Math.max(requested, next);
                        done += chunkBytes();
                        continue;
                    }
                    current = openNext();
                }
                long s = current.skip(n - done);
                if (s <= 0) {
                    current.close();
                    current = null;
                } else {
                    done += s;
                }
            }
            return done;
        }

        /** The size of every chunk but the last: chunk 0's. */
        private long chunkBytes() throws IOException {
            if (chunkBytes < 0) {
                chunkBytes = Files.size(fetcher.chunk(chunks.get(0)));
            }
            return chunkBytes;
        }

        @Override
        public void close() throws IOException {
            if (current != null) {
                current.close();
                current = null;
            }
            next = chunks.size();
            ahead.clear(); // downloads under way finish into the cache
        }
    }
}
