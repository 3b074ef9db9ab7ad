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
 */
public final class WorkerFiles implements InputFiles {
    private final ChunkFetcher fetcher;

    public WorkerFiles(ChunkFetcher fetcher) {
        this.fetcher = fetcher;
    }

    @Override
    public InputStream open(String fileId) throws IOException {
        ChunkFetcher.Manifest m = fetcher.manifest(fileId);
        return new Chunks(fetcher, m.chunks(), fetcher.window(m));
    }

    /** The chunks of one file as one stream; a chunk that cannot be had fails the read with the reason. */
    private static final class Chunks extends InputStream {
        private final ChunkFetcher fetcher;
        private final List<String> chunks;
        private final int window;
        /** Downloads of chunks {@code next ..} (at most {@code window}), in order. */
        private final Deque<CompletableFuture<Path>> ahead = new ArrayDeque<>();
        private int next;
        private int requested;
        private InputStream current;
        /** The size of every chunk but the last, once known; -1 before. */
        private long chunkBytes = -1;

        Chunks(ChunkFetcher fetcher, List<String> chunks, int window) {
            this.fetcher = fetcher;
            this.chunks = chunks;
            this.window = window;
        }

        /** Opens chunk {@code next}, keeping the next {@code window} chunks on their way. */
        private InputStream openNext() throws IOException {
            while (requested < chunks.size() && requested < next + window) {
                ahead.add(fetcher.chunkAsync(chunks.get(requested), requested));
                requested++;
            }
            String sha = chunks.get(next++);
            Path file = ChunkFetcher.await(ahead.removeFirst(), sha);
            try {
                return Files.newInputStream(file);
            } catch (NoSuchFileException e) {
                return Files.newInputStream(fetcher.chunk(sha)); // evicted since it arrived
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
