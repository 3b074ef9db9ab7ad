package org.enjambre.client;

import java.nio.file.Path;

/** A completed job's merged result streamed into a file by {@link EnjambreClient#resultTo}. */
public record SavedResult(String contentType, long size, Path file) {
}
