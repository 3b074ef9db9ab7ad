package org.enjambre.workunits.trust.sim;

/**
 * Who computes in a {@link Simulation}: how many workers and units, and how the saboteurs behave.
 *
 * @param workers          simulated workers, all equally fast
 * @param units            work units to finish
 * @param saboteurFraction f, the fraction of the workers that are saboteurs
 * @param sabotageRate     s, the probability that a saboteur returns a wrong answer (spot-checks included:
 *                         it cannot tell them apart)
 * @param colluding        whether all saboteurs return the same wrong answer (else each a different one)
 * @param rejoin           whether a blacklisted saboteur comes straight back under a new identity
 *                         (a Sybil attack without registration limits); else it is gone
 * @param seed             the seed of the simulation's only random generator: same seed, same report
 */
public record Scenario(int workers, int units, double saboteurFraction, double sabotageRate, boolean colluding,
                       boolean rejoin, long seed) {
    public Scenario {
        if (workers < 2) {
            throw new IllegalArgumentException("workers (" + workers + ") must be at least 2");
        }
        if (units < 1) {
            throw new IllegalArgumentException("units (" + units + ") must be at least 1");
        }
        if (!(saboteurFraction >= 0 && saboteurFraction < 1)) {
            throw new IllegalArgumentException("saboteurFraction (" + saboteurFraction + ") must be in [0, 1)");
        }
        if (!(sabotageRate >= 0 && sabotageRate <= 1)) {
            throw new IllegalArgumentException("sabotageRate (" + sabotageRate + ") must be in [0, 1]");
        }
    }

    /** Colluding saboteurs that do not come back once blacklisted. */
    public static Scenario colluding(int workers, int units, double f, double s, long seed) {
        return new Scenario(workers, units, f, s, true, false, seed);
    }

    /** The number of saboteurs, {@code round(f · workers)}. */
    public int saboteurs() {
        return (int) Math.round(saboteurFraction * workers);
    }
}
