package org.enjambre.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * A page of a job's work units: each unit as the API shows it ({@code index}, {@code state}, {@code canonical},
 * {@code failure}, {@code replicas} with their workers, outcomes and validate states).
 *
 * @param total how many work units the job has (not how many are on this page)
 */
public record UnitPage(long total, List<JsonNode> units) {

    /** Invariant: the units are private copies in an unmodifiable list. */
    public UnitPage {
        units = units.stream().<JsonNode>map(JsonNode::deepCopy).toList();
    }

    /** The units of this page (copies). */
    @Override
    public List<JsonNode> units() {
        return units.stream().<JsonNode>map(JsonNode::deepCopy).toList();
    }
}
