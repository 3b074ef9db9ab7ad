package org.enjambre.workunits.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.text.Printable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Parses and validates job specs. Every rule names the field it concerns; unknown fields are
 * rejected so a typo ({@code "replica": 3}) never silently becomes a default.
 *
 * <p>The job-side limits (README "Limits"): {@link #MAX_WORK_UNITS} units, {@link #MAX_INPUT_BYTES} of
 * input (as compact JSON), {@link #MAX_UNIT_INPUT_BYTES} per unit (checked by the apps whose unit inputs
 * carry data: noop, wasm), a printable name, and a costliest unit that a machine
 * {@link App#SLOW_MACHINE_FACTOR} times slower than the reference finishes within the deadline.
 */
public final class JobSpecParser {
    public static final int MAX_NAME_LENGTH = 200;
    /**
     * Units per job: the largest job the benchmark's scale probe verified (accepted in ~12 s, every unit
     * indexed); a coordinator also checks its cluster's free heap.
     */
    public static final int MAX_WORK_UNITS = 1_000_000;
    /** A job's input, as compact JSON; it is stored in the job's row and read by every peer. */
    public static final int MAX_INPUT_BYTES = 1 << 20;
    /** One unit's input: sent to a worker with every replica of the unit. */
    public static final int MAX_UNIT_INPUT_BYTES = 256 << 10;
    public static final int MAX_DEADLINE_SECONDS = 30 * 24 * 3600;
    public static final int DEFAULT_DEADLINE_SECONDS = 600;
    public static final int MAX_PRIORITY = 100;

    private static final Set<String> TOP_FIELDS =
            Set.of("name", "app", "input", "workUnits", "redundancy", "deadlineSeconds", "priority");
    private static final Set<String> REDUNDANCY_FIELDS =
            Set.of("replicas", "quorum", "maxErrors", "maxResults", "adaptive", "credibility", "spotCheckRate");

    /** Strict: a field given twice is malformed, not silently the last one. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final AppRegistry apps;

    public JobSpecParser(AppRegistry apps) {
        this.apps = apps;
    }

    /** Parses JSON text; malformed JSON is reported against the field {@code $}. */
    public JobSpec parse(String json) throws SpecException {
        if (json == null) {
            throw new SpecException("$", "the job spec is empty");
        }
        JsonNode tree;
        try (JsonParser p = JSON.createParser(json)) {
            tree = JSON.readTree(p);
            if (p.nextToken() != null) {
                throw new SpecException("$", "the job spec is not valid JSON at " + where(p.currentTokenLocation())
                        + ": more content after the end of the spec");
            }
        } catch (JsonProcessingException e) {
            throw new SpecException("$", "the job spec is not valid JSON at " + where(e.getLocation()) + ": "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new SpecException("$", "the job spec could not be read: " + e.getMessage());
        }
        return parse(tree);
    }

    private static String where(JsonLocation at) {
        return at == null ? "an unknown position" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    /** Validates a JSON tree, filling defaults for everything but {@code app} and {@code input}. */
    public JobSpec parse(JsonNode tree) throws SpecException {
        if (tree == null || !tree.isObject()) {
            throw new SpecException("$", "the job spec must be a JSON object");
        }
        rejectUnknown(tree, TOP_FIELDS, "");

        String app = requiredText(tree, "app");
        App impl = apps.find(app).orElseThrow(() -> new SpecException("app",
                "unknown app '" + app + "' (known: " + String.join(", ", apps.names()) + ")"));
        JsonNode input = tree.get("input");
        if (input == null || input.isNull()) {
            throw new SpecException("input", "input is required");
        }

        int inputBytes = compactSize(input);
        if (inputBytes > MAX_INPUT_BYTES) {
            throw new SpecException("input", "input is " + inputBytes + " bytes as JSON, more than the limit of "
                    + MAX_INPUT_BYTES + " bytes (1 MiB): put large data in a wasm module or split it over several jobs");
        }

        String name = optionalText(tree, "name", app + " job");
        if (name.isBlank()) {
            throw new SpecException("name", "name must not be blank");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new SpecException("name", "name must be at most " + MAX_NAME_LENGTH + " characters");
        }
        int unprintable = Printable.firstUnprintable(name);
        if (unprintable >= 0) {
            throw new SpecException("name", String.format("name must be printable: it holds the control character U+%04X at "
                    + "position %d", name.codePointAt(unprintable), unprintable));
        }

        Integer units = optionalInt(tree, "workUnits", 1, MAX_WORK_UNITS);
        if (units == null) {
            // The app's default needs a valid input; a bad one gets the app's own message below.
            int fallback;
            try {
                fallback = impl.defaultWorkUnits(input);
            } catch (RuntimeException e) {
                impl.validate(input, 1);
                throw new SpecException("input", "input is not valid for app '" + app + "': " + e.getMessage());
            }
            units = Math.max(1, Math.min(MAX_WORK_UNITS, fallback));
        }
        impl.validate(input, units);

        Redundancy redundancy = redundancy(tree.get("redundancy"));
        Integer deadline = optionalInt(tree, "deadlineSeconds", 1, MAX_DEADLINE_SECONDS);
        Integer priority = optionalInt(tree, "priority", -MAX_PRIORITY, MAX_PRIORITY);
        int deadlineSeconds = deadline == null ? DEFAULT_DEADLINE_SECONDS : deadline;
        UnitCost.check(impl, input, units, deadlineSeconds);
        return new JobSpec(name, app, input.deepCopy(), units, redundancy, deadlineSeconds, priority == null ? 0 : priority);
    }

    private static int compactSize(JsonNode input) throws SpecException {
        try {
            return JSON.writeValueAsBytes(input).length;
        } catch (JsonProcessingException e) {
            throw new SpecException("input", "input cannot be written as JSON: " + e.getOriginalMessage());
        }
    }

    /** The spec as JSON, with every default written out; parsing it again gives an equal spec. */
    public static ObjectNode toJson(JobSpec spec) {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", spec.name());
        node.put("app", spec.app());
        node.set("input", spec.input().deepCopy());
        node.put("workUnits", spec.workUnits());
        ObjectNode r = node.putObject("redundancy");
        r.put("replicas", spec.redundancy().replicas());
        r.put("quorum", spec.redundancy().quorum());
        r.put("maxErrors", spec.redundancy().maxErrors());
        r.put("maxResults", spec.redundancy().maxResults());
        r.put("adaptive", spec.redundancy().adaptive());
        // Written only when set, so specs that do not use them look exactly as before.
        if (spec.redundancy().credibility() != 0) {
            r.put("credibility", spec.redundancy().credibility());
        }
        if (spec.redundancy().spotCheckRate() != 0) {
            r.put("spotCheckRate", spec.redundancy().spotCheckRate());
        }
        node.put("deadlineSeconds", spec.deadlineSeconds());
        node.put("priority", spec.priority());
        return node;
    }

    private static Redundancy redundancy(JsonNode node) throws SpecException {
        if (node == null || node.isNull()) {
            return Redundancy.DEFAULT;
        }
        if (!node.isObject()) {
            throw new SpecException("redundancy", "redundancy must be an object");
        }
        rejectUnknown(node, REDUNDANCY_FIELDS, "redundancy.");
        Redundancy d = Redundancy.DEFAULT;
        // single-field bounds here; Redundancy.of checks the rules between fields
        Integer replicas = optionalInt(node, "replicas", "redundancy.replicas", 1, Redundancy.MAX_REPLICAS);
        int r = replicas == null ? d.replicas() : replicas;
        Integer quorum = optionalInt(node, "quorum", "redundancy.quorum", 1, Redundancy.MAX_REPLICAS);
        // A spec that lowers replicas below the default quorum means "that many, all agreeing".
        int q = quorum == null ? Math.min(d.quorum(), r) : quorum;
        Integer maxErrors = optionalInt(node, "maxErrors", "redundancy.maxErrors", 0, Redundancy.MAX_ERRORS);
        Integer maxResults = optionalInt(node, "maxResults", "redundancy.maxResults", 1, Redundancy.MAX_RESULTS);
        int mr = maxResults == null ? Math.min(Redundancy.MAX_RESULTS, Math.max(d.maxResults(), 3 * r)) : maxResults;
        JsonNode adaptive = node.get("adaptive");
        if (adaptive != null && !adaptive.isBoolean()) {
            throw new SpecException("redundancy.adaptive", "redundancy.adaptive must be true or false");
        }
        Double credibility = optionalFraction(node, "credibility", "redundancy.credibility");
        Double spotCheckRate = optionalFraction(node, "spotCheckRate", "redundancy.spotCheckRate");
        return Redundancy.of(r, q, maxErrors == null ? d.maxErrors() : maxErrors, mr,
                adaptive != null && adaptive.booleanValue(),
                credibility == null ? 0 : credibility, spotCheckRate == null ? 0 : spotCheckRate);
    }

    private static Double optionalFraction(JsonNode node, String field, String path) throws SpecException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw new SpecException(path, path + " must be a number");
        }
        return v.doubleValue();
    }

    private static void rejectUnknown(JsonNode node, Set<String> known, String prefix) throws SpecException {
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                unknown.add(f);
            }
        }
        if (!unknown.isEmpty()) {
            String f = unknown.get(0);
            throw new SpecException(prefix + f, "unknown field '" + prefix + f + "' (known: "
                    + String.join(", ", known.stream().sorted().toList()) + ")");
        }
    }

    private static String requiredText(JsonNode node, String field) throws SpecException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new SpecException(field, field + " is required");
        }
        if (!v.isTextual()) {
            throw new SpecException(field, field + " must be a string");
        }
        return v.textValue();
    }

    private static String optionalText(JsonNode node, String field, String fallback) throws SpecException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw new SpecException(field, field + " must be a string");
        }
        return v.textValue();
    }

    private static Integer optionalInt(JsonNode node, String field, int min, int max) throws SpecException {
        return optionalInt(node, field, field, min, max);
    }

    private static Integer optionalInt(JsonNode node, String field, String path, int min, int max) throws SpecException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber()) {
            throw new SpecException(path, path + " must be an integer");
        }
        if (!v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
            throw new SpecException(path, path + " (" + v.asText() + ") must be between " + min + " and " + max);
        }
        return v.intValue();
    }

    /** Reads a required long field of an app's input, naming it {@code input.<field>} when wrong. */
    public static long inputLong(JsonNode input, String field) throws SpecException {
        if (!input.isObject()) {
            throw new SpecException("input", "input must be an object");
        }
        JsonNode v = input.get(field);
        if (v == null || v.isNull()) {
            throw new SpecException("input." + field, "input." + field + " is required");
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new SpecException("input." + field, "input." + field + " must be an integer");
        }
        return v.longValue();
    }

    /** Reads a required number field of an app's input, naming it {@code input.<field>} when wrong. */
    public static double inputDouble(JsonNode input, String field) throws SpecException {
        if (!input.isObject()) {
            throw new SpecException("input", "input must be an object");
        }
        JsonNode v = input.get(field);
        if (v == null || v.isNull()) {
            throw new SpecException("input." + field, "input." + field + " is required");
        }
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw new SpecException("input." + field, "input." + field + " must be a finite number");
        }
        return v.doubleValue();
    }

    /** Rejects input fields other than {@code known}, naming the first unknown one. */
    public static void inputFields(JsonNode input, Set<String> known) throws SpecException {
        if (!input.isObject()) {
            throw new SpecException("input", "input must be an object");
        }
        rejectUnknown(input, known, "input.");
    }
}
