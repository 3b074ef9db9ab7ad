package org.enjambre.coordinator.jobs;

import org.enjambre.coordinator.model.JobRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
        try {
            p = parse(job.spec());
        } catch (RuntimeException e) {
            if (!job.state().terminal()) {
                throw e;
            }
            p = unreadable(job); // a finished job whose row was found unreadable at start (UnloadableJobs): still viewable
        }
        if (CACHE.size() > MAX_CACHED) {
            CACHE.clear();
        }
        CACHE.put(job.id(), p);
        return p;
    }

    /** What views show of a finished job whose spec cannot be read: no input, the default redundancy. */
    private static Parsed unreadable(JobRecord job) {
        Redundancy d = Redundancy.DEFAULT;
        ObjectNode r = Json.MAPPER.createObjectNode().put("replicas", d.replicas()).put("quorum", d.quorum())
                .put("maxErrors", d.maxErrors()).put("maxResults", d.maxResults()).put("adaptive", d.adaptive());
        return new Parsed(NullNode.getInstance(), d, r, job.workUnits(), 0);
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
