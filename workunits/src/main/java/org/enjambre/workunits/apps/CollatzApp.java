package org.enjambre.workunits.apps;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.spec.SpecException;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * Finds the number in {@code [from, to)} whose Collatz trajectory (n → n/2 when even, 3n + 1 when
 * odd) takes the most steps to reach 1, the smallest such number on ties: input
 * {@code {"from": long, "to": long}}, result {@code {"maxSteps": S, "argmax": n}}. Each unit
 * outputs the same shape for its share of the range; the merger keeps the best.
 *
 * <p>Trajectories that leave the range of {@code long} (the first starts at 8,528,817,511) continue
 * in {@link BigInteger}, so every answer is exact. A unit checkpoints
 * {@code {"from","to","next","maxSteps","argmax"}} between chunks when the host asks.
 */
public final class CollatzApp implements App {
    /** The largest {@code to}. */
    public static final long MAX_TO = 1_000_000_000_000L;
    /** The share of the range a unit gets by default. */
    public static final long DEFAULT_UNIT_SIZE = 100_000;
    /** The most units a job gets by default. */
    public static final int MAX_DEFAULT_UNITS = 10_000;

    /** Numbers between two cancellation checks and possible checkpoints: tens of milliseconds. */
    private static final int CHUNK = 1 << 16;
    /** Step counts of numbers below this are tabulated per run (4 MiB). */
    private static final int CACHE = 1 << 20;
    /** Roughly the seconds one core spends per number of the range per unit of ln(to) (measured). */
    private static final double SECONDS_PER_INTEGER_LOG = 5e-9;
    /**
     * The slowest measured on the reference machine: a unit of 2·10^7 numbers just below 10^12 took
     * 5.3–5.8 s (three runs, machine shared with other builds), 2·10^7 from 1 took 1.5–2.0 s.
     */
    static final double WORST_SECONDS_PER_INTEGER_LOG = 1.1e-8;
    private static final long MAX_ODD_TRIPLE = (Long.MAX_VALUE - 1) / 3;
    private static final int[] NO_CACHE = {0, 0};
    private static final List<String> OUTPUT = List.of("maxSteps", "argmax");
    private static final List<String> STATE = List.of("from", "to", "next", "maxSteps", "argmax");

    @Override
    public String name() {
        return "collatz";
    }

    @Override
    public void validate(JsonNode input, int workUnits) throws SpecException {
        LongRange.validate(input, workUnits, 1, MAX_TO);
    }

    @Override
    public int defaultWorkUnits(JsonNode input) {
        return LongRange.defaultUnits(input, DEFAULT_UNIT_SIZE, MAX_DEFAULT_UNITS);
    }

    @Override
    public byte[] unitInput(JsonNode input, int workUnits, int index) {
        return LongRange.of(input).split(workUnits, index).toUnitInput();
    }

    @Override
    public double cost(JsonNode input, int workUnits, int index) {
        // Trajectories grow about as the logarithm of their start; StrictMath gives the same bits everywhere.
        LongRange unit = LongRange.of(input).split(workUnits, index);
        return unit.size() * StrictMath.log(unit.to() + 1.0) * SECONDS_PER_INTEGER_LOG;
    }

    @Override
    public double maxUnitSeconds(JsonNode input, int workUnits) {
        LongRange range = LongRange.of(input);
        LongRange first = range.split(workUnits, 0);
        LongRange last = range.split(workUnits, workUnits - 1);
        return Math.max(first.size(), last.size()) * StrictMath.log(last.to() + 1.0) * WORST_SECONDS_PER_INTEGER_LOG;
    }

    @Override
    public byte[] run(byte[] unitInput, RunContext context) throws RunContext.CancelledException {
        LongRange range = LongRange.parseUnitInput(unitInput, name(), 1, MAX_TO);
        long next = range.from();
        long maxSteps = -1;
        long argmax = 0;
        Optional<long[]> saved = context.restore().flatMap(state -> restore(state, range));
        if (saved.isPresent()) {
            next = saved.get()[0];
            maxSteps = saved.get()[1];
            argmax = saved.get()[2];
        }
        // A table pays off when the unit is several times larger; it never changes the answer.
        int[] cache = stepTable((int) Math.min(CACHE, Math.max(1024, 8 * range.size())));
        while (next < range.to()) {
            context.checkCancelled();
            long end = Math.min(range.to(), next + CHUNK);
            for (long n = next; n < end; n++) {
                int s = steps(n, cache);
                if (s > maxSteps) {
                    maxSteps = s;
                    argmax = n;
                }
            }
            next = end;
            if (next < range.to()) {
                context.progress((double) (next - range.from()) / range.size());
                if (context.timeToCheckpoint()) {
                    context.checkpoint(Json.bytes(Json.longs(STATE, range.from(), range.to(), next, maxSteps, argmax)));
                }
            }
        }
        context.progress(1.0);
        return output(maxSteps, argmax);
    }

    /** A checkpoint's {@code {next, maxSteps, argmax}} when it belongs to this range and is consistent. */
    private static Optional<long[]> restore(byte[] state, LongRange range) {
        return Json.canonicalLongs(state, 200, STATE.toArray(String[]::new))
                .filter(s -> s[0] == range.from() && s[1] == range.to())
                .filter(s -> s[2] > range.from() && s[2] < range.to())
                .filter(s -> s[4] >= range.from() && s[4] < s[2] && s[3] <= Integer.MAX_VALUE)
                .map(s -> new long[] {s[2], s[3], s[4]});
    }

    /** The number of steps from {@code n >= 1} to 1. */
    static int steps(long n, int[] cache) {
        long x = n;
        int k = 0;
        while (x >= cache.length) {
            if ((x & 1) == 0) {
                int zeros = Long.numberOfTrailingZeros(x);
                x >>>= zeros;
                k += zeros;
            } else if (x <= MAX_ODD_TRIPLE) {
                x = 3 * x + 1;
                k++;
            } else {
                return k + bigSteps(BigInteger.valueOf(x));
            }
        }
        return k + cache[(int) x];
    }

    /** The steps from {@code x} to 1, for a trajectory that left the range of {@code long}. */
    private static int bigSteps(BigInteger x) {
        int k = 0;
        while (x.bitLength() > 61) {   // below 2^61, 3x + 1 fits in a long again
            if (x.testBit(0)) {
                x = x.multiply(BigInteger.valueOf(3)).add(BigInteger.ONE);
                k++;
            } else {
                int zeros = x.getLowestSetBit();
                x = x.shiftRight(zeros);
                k += zeros;
            }
        }
        return k + steps(x.longValue(), NO_CACHE);
    }

    /** {@code table[n]} = steps(n) for {@code 1 <= n < size}, each from a smaller entry. */
    static int[] stepTable(int size) {
        int[] table = new int[size];
        for (int n = 2; n < size; n++) {
            long x = n;
            int k = 0;
            while (x >= n) {
                x = (x & 1) == 0 ? x >>> 1 : 3 * x + 1;
                k++;
            }
            table[n] = k + table[(int) x];
        }
        return table;
    }

    private static byte[] output(long maxSteps, long argmax) {
        return Json.bytes(Json.longs(OUTPUT, maxSteps, argmax));
    }

    private static Optional<long[]> parseOutput(byte[] output) {
        return Json.canonicalLongs(output, 80, "maxSteps", "argmax")
                .filter(v -> v[0] <= Integer.MAX_VALUE && v[1] >= 1);
    }

    /** Accepts exactly {@code {"maxSteps":S,"argmax":n}}, compact, with S >= 0 and n >= 1. */
    @Override
    public boolean wellFormed(byte[] output) {
        return parseOutput(output).isPresent();
    }

    @Override
    public Merger merger(JsonNode input, int workUnits) {
        return new Merger() {
            private long maxSteps = -1;
            private long argmax;
            private int next;

            @Override
            public void accept(int index, byte[] output) {
                if (index != next || index >= workUnits) {
                    throw new IllegalStateException("expected unit " + next + " of " + workUnits + ", got " + index);
                }
                long[] v = parseOutput(output).orElseThrow(() -> new IllegalArgumentException(
                        "unit " + index + " output is not {\"maxSteps\":S,\"argmax\":n}"));
                if (v[0] > maxSteps || (v[0] == maxSteps && v[1] < argmax)) {
                    maxSteps = v[0];
                    argmax = v[1];
                }
                next++;
            }

            @Override
            public MergedResult finish() {
                if (next != workUnits) {
                    throw new IllegalStateException("only " + next + " of " + workUnits + " units were merged");
                }
                return new MergedResult(MergedResult.JSON, output(maxSteps, argmax));
            }
        };
    }
}
