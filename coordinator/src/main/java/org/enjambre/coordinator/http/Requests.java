package org.enjambre.coordinator.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import org.enjambre.coordinator.errors.InvalidInputException;
import org.enjambre.coordinator.store.Json;

import java.io.IOException;

/**
 * Reading requests: a body as one strict JSON object, and its fields with their types and ranges checked
 * before any narrowing. Every refusal is a 400 naming the field ({@code $} for the body as a whole).
 */
final class Requests {
    private static final StreamReadConstraints LIMITS = StreamReadConstraints.defaults();

    private Requests() {
    }

    /** The bearer credential of the request, or null. */
    static String bearer(RoutingContext ctx) {
        String h = ctx.request().getHeader("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String v = h.substring(7).trim();
        return v.isEmpty() ? null : v;
    }

    /**
     * The body as a JSON object: one value, no duplicate keys, nothing after it, strings within Jackson's
     * limit; else 400 {@code MALFORMED_JSON} saying which rule was broken and where.
     */
    static JsonNode object(Buffer body) {
        if (body == null || body.length() == 0) {
            throw malformed("the request body must be a JSON object", "$");
        }
        JsonNode n;
        try (JsonParser p = Json.MAPPER.createParser(body.getBytes())) {
            n = tree(p);
        } catch (IOException e) {
            throw malformed("the request body could not be read as JSON", "$");
        }
        if (n == null || !n.isObject()) {
            throw malformed("the request body must be a JSON object", "$");
        }
        return n;
    }

    /** Reads one value from {@code p}; a refusal says where the parser was (the exception may not know). */
    private static JsonNode tree(JsonParser p) {
        try {
            return Json.MAPPER.readTree(p);
        } catch (StreamConstraintsException e) {
            throw overLimit(e, where(p));
        } catch (JsonProcessingException e) {
            String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
            if (m.startsWith("Duplicate field")) {
                String where = where(p);
                throw malformed("the request body has the key '" + where + "' twice; each key may appear once", where);
            }
            if (m.startsWith("Trailing token")) {
                throw malformed("the request body has more content after its JSON value; send exactly one JSON object", "$");
            }
            throw malformed("the request body is not valid JSON: " + m.lines().findFirst().orElse(""), "$");
        } catch (IOException e) {
            throw malformed("the request body could not be read as JSON", "$");
        }
    }

    private static InvalidInputException overLimit(StreamConstraintsException e, String where) {
        String m = String.valueOf(e.getOriginalMessage());
        if (m.startsWith("String value length")) {
            return malformed("a string in the request body (at " + where + ") is longer than "
                    + LIMITS.getMaxStringLength() + " characters, the limit per string", where);
        }
        if (m.startsWith("Number value length")) {
            return malformed("a number in the request body (at " + where + ") has more than "
                    + LIMITS.getMaxNumberLength() + " digits, the limit per number", where);
        }
        if (m.contains("nesting depth")) {
            return malformed("the request body nests objects and arrays deeper than "
                    + LIMITS.getMaxNestingDepth() + " levels, the limit", "$");
        }
        return malformed("the request body exceeds a JSON size limit (strings " + LIMITS.getMaxStringLength()
                + " characters, numbers " + LIMITS.getMaxNumberLength() + " digits, nesting "
                + LIMITS.getMaxNestingDepth() + " levels)", "$");
    }

    /** Where the parser was when it failed, as a field path ({@code input.values[3]}); {@code $} at the top. */
    private static String where(JsonParser p) {
        StringBuilder path = new StringBuilder();
        for (JsonStreamContext c = p.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
            String part = c.inArray() ? "[" + Math.max(0, c.getCurrentIndex()) + "]"
                    : c.getCurrentName() == null ? "" : "." + c.getCurrentName();
            path.insert(0, part);
        }
        String s = path.length() > 0 && path.charAt(0) == '.' ? path.substring(1) : path.toString();
        return s.isEmpty() ? "$" : s;
    }

    private static InvalidInputException malformed(String message, String field) {
        return new InvalidInputException("MALFORMED_JSON", message, field);
    }

    /** A string field; null when absent (or JSON null) and not required. */
    static String text(JsonNode b, String field, boolean required) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw InvalidInputException.of(field + " is required", field);
            }
            return null;
        }
        if (!v.isTextual()) {
            throw InvalidInputException.of(field + " must be a string", field);
        }
        return v.textValue();
    }

    /** An integer field in [{@code min}, {@code max}], checked on its exact value (no wrapping); the fallback when absent. */
    static long longField(JsonNode b, String field, long fallback, long min, long max) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        String range = field + " must be an integer between " + min + " and " + max;
        if (!v.isIntegralNumber()) {
            throw InvalidInputException.of(range, field);
        }
        if (!v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw InvalidInputException.of(range + ", not " + v.asText(), field);
        }
        return v.longValue();
    }

    /** As {@link #longField} for an int field. */
    static int intField(JsonNode b, String field, int fallback, int min, int max) {
        return Math.toIntExact(longField(b, field, fallback, min, max));
    }

    /** An integer query parameter in [{@code min}, {@code max}]; the fallback when absent. */
    static int intParam(RoutingContext ctx, String name, int fallback, int min, int max) {
        String v = ctx.queryParams().get(name);
        if (v == null) {
            return fallback;
        }
        String range = name + " must be an integer between " + min + " and " + max;
        long i;
        try {
            i = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw InvalidInputException.of(range, name);
        }
        if (i < min || i > max) {
            throw InvalidInputException.of(range + ", not " + i, name);
        }
        return (int) i;
    }
}
