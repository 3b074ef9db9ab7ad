package org.enjambre.workunits.apps;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.workunits.spec.JobSpecParser;
import org.enjambre.workunits.spec.SpecException;

import java.util.List;
import java.util.Set;

/**
 * A half-open range of integers {@code [from, to)}, non-empty: the input of the range apps
 * (primes, collatz) and of each of their units.
 */
record LongRange(long from, long to) {
    private static final Set<String> FIELDS = Set.of("from", "to");
    private static final List<String> ORDER = List.of("from", "to");

    LongRange {
        if (to <= from) {
            throw new IllegalArgumentException("empty range [" + from + ", " + to + ")");
        }
    }

    /** How many integers the range holds. */
    long size() {
        return to - from;
    }

    /**
     * Validates a job's {@code {"from", "to"}} input with {@code minFrom <= from < to <= maxTo} and at
     * most one unit per integer, naming the offending field.
     */
    static LongRange validate(JsonNode input, int workUnits, long minFrom, long maxTo) throws SpecException {
        JobSpecParser.inputFields(input, FIELDS);
        long from = JobSpecParser.inputLong(input, "from");
        long to = JobSpecParser.inputLong(input, "to");
        if (from < minFrom) {
            throw new SpecException("input.from", "input.from (" + from + ") must be at least " + minFrom);
        }
        if (to <= from) {
            throw new SpecException("input.to", "input.to must be greater than input.from");
        }
        if (to > maxTo) {
            throw new SpecException("input.to", "input.to (" + to + ") must be at most " + maxTo);
        }
        LongRange range = new LongRange(from, to);
        if (workUnits > range.size()) {
            throw new SpecException("workUnits", "workUnits (" + workUnits
                    + ") must not exceed the number of integers from input.from to input.to (" + range.size() + ")");
        }
        return range;
    }

    /** The range of a job's input that {@link #validate} accepted. */
    static LongRange of(JsonNode input) {
        return new LongRange(input.get("from").longValue(), input.get("to").longValue());
    }

    /**
     * Part {@code index} of an even split into {@code parts}: the first {@code size % parts} parts are
     * one longer than the rest. Requires {@code 1 <= parts <= size}.
     */
    LongRange split(int parts, int index) {
        if (parts < 1 || parts > size() || index < 0 || index >= parts) {
            throw new IllegalArgumentException("cannot take part " + index + " of " + parts + " of " + this);
        }
        long q = size() / parts;
        long r = size() % parts;
        long start = from + index * q + Math.min(index, r);
        return new LongRange(start, start + q + (index < r ? 1 : 0));
    }

    /** The range as a unit input: {@code {"from":a,"to":b}}. */
    byte[] toUnitInput() {
        return Json.bytes(Json.longs(ORDER, from, to));
    }

    /** Reads a unit input written by {@link #toUnitInput}, checking {@code minFrom <= from < to <= maxTo}. */
    static LongRange parseUnitInput(byte[] bytes, String app, long minFrom, long maxTo) {
        long[] v = Json.canonicalLongs(bytes, 100, "from", "to").orElseThrow(() ->
                new IllegalArgumentException(app + " unit input must be {\"from\":integer,\"to\":integer}"));
        if (v[0] < minFrom || v[1] <= v[0] || v[1] > maxTo) {
            throw new IllegalArgumentException(app + " unit input [" + v[0] + ", " + v[1]
                    + ") must satisfy " + minFrom + " <= from < to <= " + maxTo);
        }
        return new LongRange(v[0], v[1]);
    }

    @Override
    public String toString() {
        return "[" + from + ", " + to + ")";
    }

    /** Units of about {@code unitSize} integers each for the input's range: at least 1, at most {@code max}. */
    static int defaultUnits(JsonNode input, long unitSize, int max) {
        long size = of(input).size();
        return (int) Math.max(1, Math.min(max, (size + unitSize - 1) / unitSize));
    }
}
