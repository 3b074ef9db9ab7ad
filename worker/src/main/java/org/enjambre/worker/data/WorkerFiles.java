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
        return new Chunks(fetcher, m, fetcher.window(m));
    }

    /** The chunks of one file as one stream; a chunk that cannot be had fails the read with the reason. */
    private static final class Chunks extends InputStream {
        private final ChunkFetcher fetcher;
        private final ChunkFetcher.Manifest file;
        private final List<String> chunks;
        private final int window;
        /** Downloads of chunks {@code next ..} (at most {@code window}), in order. */
        private final Deque<CompletableFuture<Path>> ahead = new ArrayDeque<>();
        private int next;
        private int requested;
        private InputStream current;

        Chunks(ChunkFetcher fetcher, ChunkFetcher.Manifest file, int window) {
            this.fetcher = fetcher;
            this.file = file;
            this.chunks = file.chunks();
            this.window = window;
        }

        /** Opens chunk {@code next}, keeping the next {@code window} chunks on their way. */
        private InputStream openNext() throws IOException {
            while (requested < chunks.size() && requested < next + window) {
                ahead.add(fetcher.chunkAsync(file, requested));
                requested++;
            }
            String sha = chunks.get(next++);
            Path path = ChunkFetcher.await(ahead.removeFirst(), sha);
            try {
                return Files.newInputStream(path);
            } catch (NoSuchFileException e) {
                return Files.newInputStream(ChunkFetcher.await(fetcher.chunkAsync(file, next - 1), sha)); // evicted since it arrived
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
