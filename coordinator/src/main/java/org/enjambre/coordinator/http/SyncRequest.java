package org.enjambre.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.enjambre.coordinator.store.Json;

import java.util.HashSet;
import java.util.Set;

/** The body of {@code POST /api/v1/work/sync} ({@code {"holding":["taskId",...]}}) and the answer of the calls that release replicas. */
final class SyncRequest {
    /** The most task ids a worker may say it holds. */
    static final int MAX_HOLDING = 4096;
    private static final int MAX_ID_LENGTH = 200;

    private SyncRequest() {
    }

    /** The task ids a worker holds; 400 naming the field when the list is missing, too long or not of ids. */
    static Set<String> holding(JsonNode body) {
        JsonNode h = body.get("holding");
        if (h == null || !h.isArray()) {
            throw ApiException.badRequest("holding must be an array of the task ids this worker holds (may be empty)", "holding");
        }
        if (h.size() > MAX_HOLDING) {
            throw ApiException.badRequest("holding lists " + h.size() + " task ids; at most " + MAX_HOLDING, "holding");
        }
        Set<String> ids = new HashSet<>(h.size() * 2);
        for (int i = 0; i < h.size(); i++) {
            JsonNode id = h.get(i);
            if (!id.isTextual() || id.textValue().isEmpty() || id.textValue().length() > MAX_ID_LENGTH) {
                throw ApiException.badRequest("holding[" + i + "] must be a task id string of 1 to " + MAX_ID_LENGTH
                        + " characters", "holding[" + i + "]");
            }
            ids.add(id.textValue());
        }
        return ids;
    }

    /** {@code {"released": n}}. */
    static ObjectNode released(int n) {
        return Json.MAPPER.createObjectNode().put("released", n);
    }
}
