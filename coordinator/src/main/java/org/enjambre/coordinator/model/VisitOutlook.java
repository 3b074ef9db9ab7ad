package org.enjambre.coordinator.model;

/**
 * What the scheduler expects of a browser at one fetch: how long it typically stays, how long it has stayed in this
 * visit, how fast it computes. {@link #remainingMillis()} is the time a unit given now should fit in.
 *
 * @param typicalMillis the visit length expected from its history (blended with its platform's)
 * @param elapsedMillis time since the first contact of the current visit
 * @param speed         cost units per second per task (measured, or a conservative default)
 */
public record VisitOutlook(long typicalMillis, long elapsedMillis, double speed) {
    public VisitOutlook {
        if (typicalMillis < 0 || elapsedMillis < 0 || !(speed > 0) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("a visit outlook needs non-negative times and a positive speed: "
                    + typicalMillis + ", " + elapsedMillis + ", " + speed);
        }
    }

    /**
     * The time left in this visit: what its typical length leaves after the time spent, but never less than a
     * quarter of it (a visitor who outstays their habit has shown they may stay a while longer; units stay small).
     */
    public long remainingMillis() {
        return Math.max(typicalMillis - elapsedMillis, typicalMillis / 4);
    }

    /** The work (cost units) one task slot can finish in {@link #remainingMillis()}. */
    public double slotBudget() {
        return remainingMillis() / 1000.0 * speed;
    }
}
