package org.enjambre.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.errors.InvalidInputException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The optional {@code cachedFiles} field of {@code POST /api/v1/work/fetch}: ids of the files the worker's cache
 * holds whole, newest first, for locality scheduling ({@code sched/Locality}). At most {@link #MAX} ids, each a file
 * id; repeats are dropped (the first stays). A worker that sends none gets units in the usual order.
 */
final class CachedFiles {
    /** The most file ids one fetch may name. */
    static final int MAX = 1000;
    private static final Pattern FILE_ID = Pattern.compile("[0-9a-f]{64}");

    private CachedFiles() {
    }

    /** The ids in {@code body}'s {@code cachedFiles}, in order; empty when absent. 400 naming the field when bad. */
    static List<String> of(JsonNode body) {
        JsonNode f = body.get("cachedFiles");
        if (f == null || f.isNull()) {
            return List.of();
        }
        if (!f.isArray()) {
            throw InvalidInputException.of("cachedFiles must be an array of file ids (64 lowercase hex digits)", "cachedFiles");
        }
        if (f.size() > MAX) {
            throw InvalidInputException.of("cachedFiles lists " + f.size() + " file ids; at most " + MAX + " (the newest)",
                    "cachedFiles");
        }
        Set<String> ids = new LinkedHashSet<>(f.size() * 2);
        for (int i = 0; i < f.size(); i++) {
            JsonNode id = f.get(i);
            if (!id.isTextual() || !FILE_ID.matcher(id.textValue()).matches()) {
                throw InvalidInputException.of("cachedFiles[" + i + "] must be a file id (64 lowercase hex digits)",
                        "cachedFiles[" + i + "]");
            }
            ids.add(id.textValue());
        }
        return new ArrayList<>(ids);
    }
}
