package org.enjambre.worker.exec;

/** Where a task's blob and input files come from: the local cache, else the coordinator. */
@FunctionalInterface
public interface BlobSource {
    /** The verified bytes of blob {@code sha256}; throws when they cannot be had. */
    byte[] get(String sha256) throws Exception;

    /** The uploaded files a task may read (README, "Data"); none by default. */
    default org.enjambre.workunits.app.InputFiles files() {
        return org.enjambre.workunits.app.InputFiles.NONE;
    }

    /** A source for workers that run no blob-based apps: every blob is unknown. */
    BlobSource NONE = sha -> {
        throw new IllegalStateException("blob " + sha + " is not available on this worker");
    };
}
