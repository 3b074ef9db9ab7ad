package org.enjambre.workunits.trust;

import java.util.random.RandomGenerator;

/** A "random" generator whose {@link #nextDouble()} always returns the same value, for exact tests of probabilities. */
record FixedRandom(double value) implements RandomGenerator {
    @Override
    public long nextLong() {
        return 0;
    }

    @Override
    public double nextDouble() {
        return value;
    }
}
