package org.enjambre.workunits.apps;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files of a built-in app whose unit {@code i} reads {@code input.files[i]} and, when the input names one, a
 * file every unit reads ({@code input.<shared>}): {@code wordcount} (stopwords) and {@code checksum} (shared).
 */
final class FilesPerUnit {
    private FilesPerUnit() {
    }

    /** Every file the job reads, by the field naming it ({@code input.files[2]}, {@code input.<shared>}). */
    static Map<String, String> inputFiles(JsonNode input, String shared) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode files = input.get("files");
        for (int i = 0; i < files.size(); i++) {
            out.put("input.files[" + i + "]", files.get(i).asText());
        }
        if (input.has(shared)) {
            out.put("input." + shared, input.get(shared).asText());
        }
        return out;
    }

    /** The files unit {@code index} reads: its own, then the shared one. */
    static List<String> unitFiles(JsonNode input, int index, String shared) {
        String own = input.get("files").get(index).asText();
        return input.has(shared) ? List.of(own, input.get(shared).asText()) : List.of(own);
    }
}
