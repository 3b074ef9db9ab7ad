package org.enjambre.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The client's JSON: one mapper, and the API's views read into the public value types. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Json() {
    }

    /** A JSON answer's tree; a body that is not JSON is the coordinator's fault, reported as such. */
    static JsonNode parse(byte[] body, String what) {
        try {
            JsonNode n = MAPPER.readTree(body);
            if (n == null || n.isMissingNode()) {
                throw new IOException("empty body");
            }
            return n;
        } catch (IOException e) {
            throw new EnjambreException(200, "BAD_ANSWER", "the coordinator sent " + what + " that is not JSON", null, e);
        }
    }

    static Job job(JsonNode n) {
        JsonNode wu = n.path("workUnits");
        WorkUnitCounts counts = new WorkUnitCounts(wu.path("total").asLong(), wu.path("done").asLong(), wu.path("failed").asLong(),
                wu.path("inProgress").asLong(), wu.path("waiting").asLong(), wu.path("queued").asLong());
        return new Job(text(n, "id"), text(n, "name"), text(n, "app"), state(n), n.path("priority").asInt(),
                n.path("progress").asDouble(), counts, text(n, "failure"), n);
    }

    static List<Job> jobs(JsonNode n) {
        List<Job> out = new ArrayList<>();
        for (JsonNode j : n.path("jobs")) {
            out.add(job(j));
        }
        return List.copyOf(out);
    }

    static Worker worker(JsonNode n) {
        return new Worker(text(n, "id"), text(n, "name"), n.path("online").asBoolean(), n.path("tasksPerSecond").asDouble(),
                n.path("credit").asDouble(), n.path("reputation").asDouble(), n);
    }

    static Peer peer(JsonNode n) {
        return new Peer(text(n, "id"), text(n, "address"), text(n, "http"), n.path("local").asBoolean(), n);
    }

    private static JobState state(JsonNode n) {
        String s = n.path("state").asText();
        try {
            return JobState.valueOf(s);
        } catch (IllegalArgumentException e) {
            throw new EnjambreException(200, "BAD_ANSWER", "the coordinator sent a job in an unknown state '" + s + "'", "state", e);
        }
    }

    /** A text field, or null when it is absent or null. */
    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
