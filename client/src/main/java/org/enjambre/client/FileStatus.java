package org.enjambre.client;

import java.util.List;

/**
 * What the coordinators hold of a data file declared by its manifest ({@link EnjambreClient#declareFile}): its id
 * (the SHA-256 over its chunks' hashes), the chunks still to upload, and whether it is complete (usable in jobs).
 */
public record FileStatus(String id, List<String> missing, boolean complete) {
    public FileStatus {
        missing = List.copyOf(missing);
    }
}
