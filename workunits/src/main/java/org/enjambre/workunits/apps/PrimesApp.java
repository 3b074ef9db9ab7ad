package org.enjambre.workunits.apps;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.spec.SpecException;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Counts the primes p with {@code from <= p < to}: input {@code {"from": long, "to": long}}, result
 * {@code {"count": N}}. Each unit counts an even share of the range with a segmented sieve of
 * Eratosthenes over odd numbers and outputs {@code {"count":N}}; the merger adds the counts.
 *
 * <p>A unit checkpoints {@code {"from","to","next","count"}} after a segment when the host asks,
 * and resumes from the next unsieved odd number.
 */
public final class PrimesApp implements App {
    /** The largest {@code to}: sieving primes up to its square root stays small (about 3.2 M). */
    public static final long MAX_TO = 10_000_000_000_000L;
    /** The share of the range a unit gets by default. */
    public static final long DEFAULT_UNIT_SIZE = 1_000_000;
    /** The most units a job gets by default. */
    public static final int MAX_DEFAULT_UNITS = 10_000;

    /** Odd numbers sieved per segment: 256 KiB of flags, a millisecond or two of work. */
    private static final int SEGMENT = 1 << 18;
    /** Roughly the seconds one core spends per integer of the range (measured: 1.5 to 6 ns). */
    private static final double SECONDS_PER_INTEGER = 4e-9;
    /**
     * The slowest seconds per integer measured on the reference machine: one unit of 10^8 integers just
     * below 10^13 took 0.58–0.69 s (three runs, machine shared with other builds); 10^8 from 0, 0.30–0.46 s.
     */
    static final double WORST_SECONDS_PER_INTEGER = 7e-9;
    private static final List<String> OUTPUT = List.of("count");
    private static final List<String> STATE = List.of("from", "to", "next", "count");

    @Override
    public String name() {
        return "primes";
    }

    @Override
    public void validate(JsonNode input, int workUnits) throws SpecException {
        LongRange.validate(input, workUnits, 0, MAX_TO);
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
        LongRange unit = LongRange.of(input).split(workUnits, index);
        // Sieving the base primes up to sqrt(to) is paid once per unit.
        return (unit.size() + Math.sqrt((double) unit.to())) * SECONDS_PER_INTEGER;
    }

    @Override
    public double maxUnitSeconds(JsonNode input, int workUnits) {
        LongRange range = LongRange.of(input);
        // The first unit is the largest (by one integer at most), the last has the largest base primes.
        LongRange first = range.split(workUnits, 0);
        LongRange last = range.split(workUnits, workUnits - 1);
        return (Math.max(first.size(), last.size()) + Math.sqrt((double) last.to())) * WORST_SECONDS_PER_INTEGER;
    }

    @Override
    public byte[] run(byte[] unitInput, RunContext context) throws RunContext.CancelledException {
        LongRange range = LongRange.parseUnitInput(unitInput, name(), 0, MAX_TO);
        long next;
        long count;
        Optional<long[]> saved = context.restore().flatMap(state -> restore(state, range));
        if (saved.isPresent()) {
            next = saved.get()[0];
            count = saved.get()[1];
        } else {
            next = Math.max(3, range.from() | 1);
            count = range.from() <= 2 && 2 < range.to() ? 1 : 0;
        }
        int[] basePrimes = oddPrimesUpTo(isqrt(range.to() - 1));
        boolean[] composite = new boolean[SEGMENT];
        while (next < range.to()) {
            context.checkCancelled();
            int n = (int) Math.min(SEGMENT, (range.to() - next + 1) / 2);
            count += countSegment(next, n, basePrimes, composite);
            next += 2L * n;
            if (next < range.to()) {
                context.progress((double) (next - range.from()) / range.size());
                if (context.timeToCheckpoint()) {
                    context.checkpoint(Json.bytes(Json.longs(STATE, range.from(), range.to(), next, count)));
                }
            }
        }
        context.progress(1.0);
        return output(count);
    }

    /** A checkpoint's {@code {next, count}} when it belongs to this range and is consistent; else empty. */
    private static Optional<long[]> restore(byte[] state, LongRange range) {
        return Json.canonicalLongs(state, 200, STATE.toArray(String[]::new))
                .filter(s -> s[0] == range.from() && s[1] == range.to())
                .filter(s -> s[2] >= 3 && (s[2] & 1) == 1 && s[2] > range.from() && s[2] < range.to())
                .filter(s -> s[3] <= s[2] - range.from())
                .map(s -> new long[] {s[2], s[3]});
    }

    /**
     * Counts the primes among the {@code n} odd numbers {@code start, start + 2, ...} (start odd,
     * at least 3), crossing off
     * multiples of the odd base primes whose square lies below the segment's end.
     */
    private static long countSegment(long start, int n, int[] basePrimes, boolean[] composite) {
        Arrays.fill(composite, 0, n, false);
        long end = start + 2L * n;
        for (int p : basePrimes) {
            long square = (long) p * p;
            if (square >= end) {
                break;
            }
            long first = Math.max(square, (start + p - 1) / p * p);
            if ((first & 1) == 0) {
                first += p;
            }
            long offset = (first - start) >> 1;
            for (int i = (int) Math.min(offset, n); i < n; i += p) {
                composite[i] = true;
            }
        }
        long count = 0;
        for (int i = 0; i < n; i++) {
            if (!composite[i]) {
                count++;
            }
        }
        return count;
    }

    /** The odd primes up to {@code limit}, ascending, by a plain sieve. */
    static int[] oddPrimesUpTo(long limit) {
        int max = (int) limit;
        if (max < 3) {
            return new int[0];
        }
        boolean[] composite = new boolean[max + 1];
        int[] primes = new int[Math.max(16, (int) (1.3 * max / Math.log(max)) + 16)];
        int found = 0;
        for (int i = 3; i <= max; i += 2) {
            if (!composite[i]) {
                primes[found++] = i;
                for (long m = (long) i * i; m <= max; m += 2L * i) {
                    composite[(int) m] = true;
                }
            }
        }
        return Arrays.copyOf(primes, found);
    }

    /** The largest r with r * r <= x, for 0 <= x < 2^62. */
    static long isqrt(long x) {
        long r = (long) Math.sqrt((double) x);
        while (r * r > x) {
            r--;
        }
        while ((r + 1) * (r + 1) <= x) {
            r++;
        }
        return r;
    }

    private static byte[] output(long count) {
        return Json.bytes(Json.longs(OUTPUT, count));
    }

    /** Accepts exactly {@code {"count":N}}, compact, with N a non-negative integer. */
    @Override
    public boolean wellFormed(byte[] output) {
        return Json.canonicalLongs(output, 40, "count").isPresent();
    }

    @Override
    public Merger merger(JsonNode input, int workUnits) {
        return new Merger() {
            private long total;
            private int next;

            @Override
            public void accept(int index, byte[] output) {
                if (index != next || index >= workUnits) {
                    throw new IllegalStateException("expected unit " + next + " of " + workUnits + ", got " + index);
                }
                long[] count = Json.canonicalLongs(output, 40, "count").orElseThrow(() ->
                        new IllegalArgumentException("unit " + index + " output is not {\"count\":N}"));
                total = Math.addExact(total, count[0]);
                next++;
            }

            @Override
            public MergedResult finish() {
                if (next != workUnits) {
                    throw new IllegalStateException("only " + next + " of " + workUnits + " units were merged");
                }
                return new MergedResult(MergedResult.JSON, output(total));
            }
        };
    }
}
