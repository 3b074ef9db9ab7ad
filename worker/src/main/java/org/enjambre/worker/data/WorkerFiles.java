package org.enjambre.worker.data;

import org.enjambre.workunits.app.InputFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;

/**
 * The {@link InputFiles} of this worker's units: a file read as its chunks one after another, each fetched (and
 * verified) when the reader reaches it, from the cache when it is there. At most one chunk file is open at a time.
 */
public final class WorkerFiles implements InputFiles {
    private final ChunkFetcher fetcher;

    public WorkerFiles(ChunkFetcher fetcher) {
        this.fetcher = fetcher;
    }

    @Override
    public InputStream open(String fileId) throws IOException {
        return new Chunks(fetcher, fetcher.manifest(fileId).chunks());
    }

    /** The chunks of one file as one stream; a chunk that cannot be had fails the read with the reason. */
    private static final class Chunks extends InputStream {
        private final ChunkFetcher fetcher;
        private final List<String> chunks;
        private int next;
        private InputStream current;

        Chunks(ChunkFetcher fetcher, List<String> chunks) {
            this.fetcher = fetcher;
            this.chunks = chunks;
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
                    current = Files.newInputStream(fetcher.chunk(chunks.get(next++)));
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
        }
    }
}
