package org.enjambre.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A volunteer worker known to the coordinators, with its throughput, credit and reputation; {@link #json()} has the
 * whole view (platform, apps, account, valid/invalid counts, spot checks...).
 */
public record Worker(String id, String name, boolean online, double tasksPerSecond, double credit, double reputation,
                     JsonNode json) {

    /** Invariant: {@code json} is a private copy. */
    public Worker {
        json = json.deepCopy();
    }

    /** The worker's whole view as the API sent it (a copy). */
    @Override
    public JsonNode json() {
        return json.deepCopy();
    }
}
