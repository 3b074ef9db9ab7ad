package org.enjambre.coordinator.model;

/**
 * A browser's visit history and measured speed (issue 18), kept in its {@link WorkerRecord}; the same shape sums a
 * platform's visits into the cluster-wide default for a new tab. What the scheduler sizes a browser's units by
 * ({@code sched/VisitPlanner}).
 *
 * <p>Averages are running means for the first samples, then exponentially weighted ({@code weight}: the share of
 * the newest sample, at least {@code 1 / (n + 1)}), so a first visit counts fully and an old history fades.
 *
 * @param visits        visits seen (first fetch after a gap to the last contact before the next gap)
 * @param typicalMillis the typical visit length; meaningless while {@code visits} is 0
 * @param speed         cost units ({@code App.cost}: about a second of a typical core) computed per second per task
 * @param speedSamples  results {@code speed} was measured from; {@code speed} is meaningless while this is 0
 */
public record VisitStats(long visits, long typicalMillis, double speed, long speedSamples) implements java.io.Serializable {
    /** No history. */
    public static final VisitStats NONE = new VisitStats(0, 0, 0, 0);
    /** A worker's history: the newest visit or speed sample weighs a fifth once there are five. */
    public static final double WORKER_WEIGHT = 0.2;
    /** A platform's history: the newest visit weighs a twentieth once there are twenty. */
    public static final double PLATFORM_WEIGHT = 0.05;

    public VisitStats {
        if (visits < 0 || typicalMillis < 0 || speedSamples < 0 || !(speed >= 0) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("visit stats must be finite and non-negative: " + visits + ", "
                    + typicalMillis + ", " + speed + ", " + speedSamples);
        }
    }

    /** This history after a visit of {@code millis} (negative counts as 0). */
    public VisitStats afterVisit(long millis, double weight) {
        double w = Math.max(weight, 1.0 / (visits + 1));
        long typical = Math.round(typicalMillis + w * (Math.max(0, millis) - typicalMillis));
        return new VisitStats(visits + 1, typical, speed, speedSamples);
    }

    /** This history after one measured speed (cost units per second; ignored unless finite and positive). */
    public VisitStats afterSpeed(double sample, double weight) {
        if (!(sample > 0) || Double.isInfinite(sample)) {
            return this;
        }
        double w = Math.max(weight, 1.0 / (speedSamples + 1));
        return new VisitStats(visits, typicalMillis, speed + w * (sample - speed), speedSamples + 1);
    }

    /**
     * The visit length to expect: this history blended with {@code priorMillis} (the platform's) as if the prior were
     * {@code priorVisits} more visits, so one short visit does not decide alone.
     */
    public long expectedMillis(long priorMillis, int priorVisits) {
        return Math.round((visits * (double) typicalMillis + priorVisits * (double) priorMillis) / (visits + priorVisits));
    }

    /** The measured speed, or {@code prior} before any measure. */
    public double expectedSpeed(double prior) {
        return speedSamples > 0 ? speed : prior;
    }
}
