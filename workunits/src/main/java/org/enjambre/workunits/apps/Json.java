package org.enjambre.workunits.apps;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/** Compact, deterministic JSON for the built-in apps' unit inputs, outputs and checkpoints. */
final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** The node as compact UTF-8 JSON; fields in insertion order, so equal nodes give equal bytes. */
    static byte[] bytes(ObjectNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /**
     * Reads a flat JSON object whose fields are exactly {@code fields}, in that order, each a
     * non-negative integer, written canonically (compact, as {@link #bytes} writes it). Anything else,
     * including more than {@code maxLength} bytes, gives an empty result; never throws.
     */
    static Optional<long[]> canonicalLongs(byte[] bytes, int maxLength, String... fields) {
        if (bytes == null || bytes.length > maxLength) {
            return Optional.empty();
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(bytes);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (tree == null || !tree.isObject() || tree.size() != fields.length) {
            return Optional.empty();
        }
        long[] values = new long[fields.length];
        Iterator<String> names = tree.fieldNames();
        for (int i = 0; i < fields.length; i++) {
            String name = names.next();
            JsonNode v = tree.get(name);
            if (!name.equals(fields[i]) || !v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                return Optional.empty();
            }
            values[i] = v.longValue();
        }
        if (!Arrays.equals(bytes, bytes(longs(List.of(fields), values)))) {
            return Optional.empty();
        }
        return Optional.of(values);
    }

    /** A flat object of integer fields, in the given order. */
    static ObjectNode longs(List<String> fields, long... values) {
        ObjectNode node = object();
        for (int i = 0; i < values.length; i++) {
            node.put(fields.get(i), values[i]);
        }
        return node;
    }

    /** Parses a unit input that the coordinator wrote; a malformed one is a bug or a tampered task. */
    static JsonNode unitInput(byte[] bytes, String app) {
        try {
            JsonNode tree = MAPPER.readTree(bytes);
            if (tree == null || !tree.isObject()) {
                throw new IllegalArgumentException(app + " unit input must be a JSON object");
            }
            return tree;
        } catch (IOException e) {
            throw new IllegalArgumentException(app + " unit input is not valid JSON: " + e.getMessage(), e);
        }
    }
}
