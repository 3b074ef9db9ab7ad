package org.enjambre.workunits.trust;

import org.enjambre.workunits.model.TaskState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.spec.Redundancy;

import java.util.random.RandomGenerator;

/**
 * How many replicas a work unit gets, decided when its first replica goes to a worker. The scheduler
 * asks {@link #replicasFor} before issuing a unit none of whose replicas was sent, and
 * {@link org.enjambre.workunits.transition.Transitioner#replan replans} the unit when the answer
 * differs from its policy.
 */
public interface ReplicationPolicy {

    /**
     * The redundancy {@code unit} should have when its first replica goes to a worker with reputation
     * {@code worker}: its own policy, or (adaptive replication) a policy that runs it alone.
     * Units with a replica already sent keep their policy.
     */
    Redundancy replicasFor(WorkUnit unit, Reputation worker, RandomGenerator random);

    /** Every unit keeps its job's redundancy. */
    static ReplicationPolicy fixed() {
        return (unit, worker, random) -> unit.policy();
    }

    /**
     * BOINC's adaptive replication, made harder to game: for a job whose policy has
     * {@link Redundancy#adaptive()} set, a worker with at least {@code threshold} consecutive valid
     * results (BOINC uses 10) <em>and</em> at least {@code minSpotChecks} passed spot-checks gets a unit
     * alone with probability {@code 1 - 1/consecutiveValid}; one invalid result (or a failed spot-check)
     * resets the count to 0. Passed spot-checks are required only of jobs that spot-check. With {@code minSpotChecks = 0} this is BOINC's rule, under which colluding
     * saboteurs who validate each other's results earn trust; known-answer spot-checks cannot be forged.
     */
    static ReplicationPolicy adaptive(int threshold, int minSpotChecks) {
        return new Adaptive(threshold, minSpotChecks);
    }

    /** See {@link ReplicationPolicy#adaptive}. */
    record Adaptive(int threshold, int minSpotChecks) implements ReplicationPolicy {
        public Adaptive {
            if (threshold < 1) {
                throw new IllegalArgumentException("the adaptive replication threshold (" + threshold + ") must be at least 1");
            }
            if (minSpotChecks < 0) {
                throw new IllegalArgumentException("minSpotChecks (" + minSpotChecks + ") must not be negative");
            }
        }

        /** The probability that a worker with reputation {@code r} runs a unit alone (passed checks required). */
        public double soloProbability(Reputation r) {
            if (r.blacklisted() || r.consecutiveValid() < threshold || r.spotChecksPassed() < minSpotChecks) {
                return 0;
            }
            return 1 - 1.0 / r.consecutiveValid();
        }

        /**
         * The probability that a worker with reputation {@code r} runs a unit of a job with policy {@code p}
         * alone: 0 unless the job is adaptive with more than one replica; passed spot-checks are required only
         * when the job spot-checks (else no worker could ever earn them).
         */
        public double soloProbability(Reputation r, Redundancy p) {
            if (!p.adaptive() || p.replicas() == 1) {
                return 0;
            }
            return p.spotCheckRate() > 0 ? soloProbability(r) : new Adaptive(threshold, 0).soloProbability(r);
        }

        @Override
        public Redundancy replicasFor(WorkUnit unit, Reputation worker, RandomGenerator random) {
            Redundancy p = unit.policy();
            if (unit.count(TaskState.UNSENT) != unit.tasks().size()) {
                return p;
            }
            double solo = soloProbability(worker, p);
            return solo > 0 && random.nextDouble() < solo ? p.withReplicas(1, 1) : p;
        }
    }
}
