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

    /** A host that serves no files: every open fails with a reason. */
    InputFiles NONE = id -> {
        throw new IOException("this host serves no input files (file " + id + ")");
    };
}
