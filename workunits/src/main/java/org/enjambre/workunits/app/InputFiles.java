package org.enjambre.workunits.app;

import java.io.IOException;
import java.io.InputStream;

/**
 * The uploaded files a running unit may read, by file id (README, "Data"): each is read as a stream, chunk by
 * chunk, every chunk verified against its SHA-256 before a byte of it is returned, so a unit never holds a whole
 * file in memory. Supplied by the host (the worker fetches and caches chunks); thread-safe.
 */
@FunctionalInterface
public interface InputFiles {
    /** The content of file {@code fileId} from its first byte; the caller closes it. */
    InputStream open(String fileId) throws IOException;

    /**
     * The content of file {@code fileId} from byte {@code offset} (0 ≤ offset ≤ its size); the caller closes it.
     * Hosts that know the file's chunks start at the chunk holding {@code offset} without fetching or reading the ones
     * before it; this default reads and discards the bytes before {@code offset}.
     */
    default InputStream open(String fileId, long offset) throws IOException {
        if (offset < 0) {
            throw new IOException("offset " + offset + " into file " + fileId + " is negative");
        }
        InputStream in = open(fileId);
        try {
            in.skipNBytes(offset);
            return in;
        } catch (java.io.EOFException e) {
            in.close();
            throw new IOException("offset " + offset + " is past the end of file " + fileId, e);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** The size of file {@code fileId} in bytes. Hosts answer from its manifest; this default reads it through. */
    default long size(String fileId) throws IOException {
        try (InputStream in = open(fileId)) {
            return in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    /** A host that serves no files: every open fails with a reason. */
    InputFiles NONE = id -> {
        throw new IOException("this host serves no input files (file " + id + ")");
    };
}
