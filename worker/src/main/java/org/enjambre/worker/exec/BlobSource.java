package org.enjambre.worker.exec;

/** Where a task's blob comes from: the local cache, else the coordinator. */
@FunctionalInterface
public interface BlobSource {
    /** The verified bytes of blob {@code sha256}; throws when they cannot be had. */
    byte[] get(String sha256) throws Exception;

    /** A source for workers that run no blob-based apps: every blob is unknown. */
    BlobSource NONE = sha -> {
        throw new IllegalStateException("blob " + sha + " is not available on this worker");
    };
}
