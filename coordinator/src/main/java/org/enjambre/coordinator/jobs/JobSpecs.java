package org.enjambre.coordinator.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.store.Json;
import org.enjambre.workunits.spec.Redundancy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the parts of a stored job spec the coordinator needs often (input, redundancy), with a small
 * cache: specs never change after submission.
 */
public final class JobSpecs {
    /** The parts of a spec used at run time. */
    public record Parsed(JsonNode input, Redundancy redundancy, JsonNode redundancyJson, int workUnits, long deadlineMillis) {
    }

    private static final Map<String, Parsed> CACHE = new ConcurrentHashMap<>();
    private static final int MAX_CACHED = 10_000;

    private JobSpecs() {
    }

    public static Parsed of(JobRecord job) {
        Parsed p = CACHE.get(job.id());
        if (p != null) {
            return p;
        }
        p = parse(job.spec());
        if (CACHE.size() > MAX_CACHED) {
            CACHE.clear();
        }
        CACHE.put(job.id(), p);
        return p;
    }

    static Parsed parse(String spec) {
        try {
            JsonNode n = Json.MAPPER.readTree(spec);
            JsonNode r = n.get("redundancy");
            Redundancy red = new Redundancy(r.get("replicas").intValue(), r.get("quorum").intValue(),
                    r.get("maxErrors").intValue(), r.get("maxResults").intValue(),
                    r.has("adaptive") && r.get("adaptive").booleanValue(),
                    r.path("credibility").asDouble(0), r.path("spotCheckRate").asDouble(0));
            return new Parsed(n.get("input"), red, r, n.get("workUnits").intValue(), n.get("deadlineSeconds").longValue() * 1000L);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt job spec", e);
        }
    }
}
