package org.enjambre.coordinator.sched;

import java.util.BitSet;
import java.util.function.Predicate;

/**
 * One job's never-touched units that this peer owns: implicit (no map entry, no index object), every one
 * ready, handed out lowest index first. One bit per unit of the job, set while the unit is fresh and owned here.
 *
 * <p>Invariant (kept by {@link LocalIndex}): a bit is set only for a key the index has seen no entry for;
 * it is cleared when the unit's first event makes its entry. Thread-safe (its own lock: the issuer reads while
 * the listener clears).
 */
final class FreshUnits {
    private final BitSet bits;
    private int size;
    /** No bit below this is set (cleared bits never come back): where the next scan starts. */
    private int low;

    private FreshUnits(BitSet bits) {
        this.bits = bits;
        this.size = bits.cardinality();
    }

    /** The indices in {@code [0, units)} whose key {@code owns} accepts (computed once, without any lock held). */
    static FreshUnits owned(String jobId, int units, Predicate<String> owns) {
        BitSet bits = new BitSet(units);
        StringBuilder key = new StringBuilder(jobId.length() + 8).append(jobId).append('/');
        int prefix = key.length();
        for (int i = 0; i < units; i++) {
            key.setLength(prefix);
            if (owns.test(key.append(i).toString())) {
                bits.set(i);
            }
        }
        return new FreshUnits(bits);
    }

    /** Clears {@code index}; whether it was set (the unit was fresh here until now). */
    synchronized boolean take(int index) {
        if (index < 0 || !bits.get(index)) {
            return false;
        }
        bits.clear(index);
        size--;
        return true;
    }

    /** Whether unit {@code index} is fresh here. */
    synchronized boolean contains(int index) {
        return index >= 0 && bits.get(index);
    }

    /** Up to {@code n} fresh indices, lowest first. */
    synchronized int[] first(int n) {
        int[] out = new int[Math.min(n, size)];
        int i = bits.nextSetBit(low);
        low = Math.max(i, low);
        for (int k = 0; k < out.length; k++, i = bits.nextSetBit(i + 1)) {
            out[k] = i;
        }
        return out;
    }

    /** How many units are fresh here. */
    synchronized int size() {
        return size;
    }
}
