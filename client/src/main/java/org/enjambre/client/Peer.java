package org.enjambre.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One coordinator peer of the cluster; {@link #json()} has the whole view (partitions, units, workers...).
 *
 * @param http  the peer's HTTP address, or null when it did not announce one
 * @param local true for the peer that answered
 */
public record Peer(String id, String address, String http, boolean local, JsonNode json) {

    /** Invariant: {@code json} is a private copy. */
    public Peer {
        json = json.deepCopy();
    }

    /** The peer's whole view as the API sent it (a copy). */
    @Override
    public JsonNode json() {
        return json.deepCopy();
    }
}
