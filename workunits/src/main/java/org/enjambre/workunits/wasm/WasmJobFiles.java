package org.enjambre.workunits.wasm;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.workunits.spec.SpecException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The uploaded files a wasm job's input names (docs/wasm-abi.md, "Files"): {@code "files": [id, ...]}, one work unit
 * per file, and {@code "sharedFiles": [id, ...]}, read by every unit. A unit's files, as the module numbers them, are
 * its own file first (in {@code files} mode), then the shared ones in their order.
 */
final class WasmJobFiles {
    /** Files in {@code input.files}: every id is 67 bytes of the job's input, which is capped at 1 MiB. */
    static final int MAX_FILES = 10_000;
    /** Files in {@code input.sharedFiles}: every unit's input carries their ids (65 bytes each). */
    static final int MAX_SHARED_FILES = 64;
    static final String FILES = "files";
    static final String SHARED = "sharedFiles";

    private WasmJobFiles() {
    }

    /** Checks {@code input.files} (when {@code perUnit}, the job's partition) and {@code input.sharedFiles}. */
    static void validate(JsonNode input, int workUnits, boolean perUnit) throws SpecException {
        if (perUnit) {
            JsonNode files = input.get(FILES);
            checkIds(files, FILES, MAX_FILES, "one work unit per file");
            // JobSpecParser probes with 1 unit before asking defaultWorkUnits, so 1 must pass here.
            if (workUnits != files.size()) {
                throw new SpecException("workUnits", "workUnits (" + workUnits + ") must equal the number of"
                        + " input.files (" + files.size() + "), or be left out");
            }
        }
        JsonNode shared = input.get(SHARED);
        if (shared != null) {
            checkIds(shared, SHARED, MAX_SHARED_FILES, "every work unit reads them all");
        }
    }

    private static void checkIds(JsonNode list, String field, int max, String meaning) throws SpecException {
        if (!list.isArray() || list.isEmpty() || list.size() > max) {
            throw new SpecException("input." + field, "input." + field + " must be a list of 1 to " + max
                    + " file ids (" + meaning + ")" + (list.isArray() && list.size() > max ? ", not " + list.size() : ""));
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode f = list.get(i);
            if (!f.isTextual() || !WasmModules.isSha256(f.textValue())) {
                throw new SpecException("input." + field + "[" + i + "]", "input." + field + "[" + i + "] must be a"
                        + " file id: 64 lowercase hex digits, as enjambre data upload prints them");
            }
        }
    }

    /** Every file the job reads, by the field naming it ({@code input.files[2]}), in order. */
    static Map<String, String> byField(JsonNode input) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String field : List.of(FILES, SHARED)) {
            JsonNode list = input.path(field);
            for (int i = 0; i < list.size(); i++) {
                out.put("input." + field + "[" + i + "]", list.get(i).textValue());
            }
        }
        return out;
    }

    /** The ids of the files unit {@code index} reads, numbered as its module sees them. */
    static List<String> ofUnit(JsonNode input, int index) {
        List<String> out = new ArrayList<>();
        if (input.has(FILES)) {
            out.add(input.get(FILES).get(index).textValue());
        }
        input.path(SHARED).forEach(f -> out.add(f.textValue()));
        return out;
    }

    /** Whether the job reads any file (cheap: no list is walked). */
    static boolean any(JsonNode input) {
        return input != null && (input.has(FILES) || input.has(SHARED));
    }
}
