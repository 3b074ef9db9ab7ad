package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.workers.WorkerRecord;

import java.util.Optional;

/** Spot-checks as the issuer and the report handler use them (known-answer tasks, Sarmenta). */
public interface Checks {

    /** Whether a known answer exists to check workers of {@code app} with. */
    boolean canCheck(String app);

    /** Whether to send {@code worker} a spot-check now, at {@code rate}. */
    boolean due(WorkerRecord worker, double rate);

    /** A spot-check task for one of the worker's apps, if a known answer exists; pending until judged. */
    Optional<Scheduler.Assignment> create(WorkerRecord worker, long now, long deadline);

    /** Judges a worker's answer to a spot-check (an output, or {@code null} for an error report). */
    SpotChecks.Verdict judge(String id, String workerId, byte[] output);

    /** No spot-checks at all. */
    Checks NONE = new Checks() {
        @Override
        public boolean canCheck(String app) {
            return false;
        }

        @Override
        public boolean due(WorkerRecord worker, double rate) {
            return false;
        }

        @Override
        public Optional<Scheduler.Assignment> create(WorkerRecord worker, long now, long deadline) {
            return Optional.empty();
        }

        @Override
        public SpotChecks.Verdict judge(String id, String workerId, byte[] output) {
            return SpotChecks.Verdict.UNKNOWN;
        }
    };

    /** The coordinator's {@link SpotChecks}. */
    static Checks of(SpotChecks checks) {
        return new Checks() {
            @Override
            public boolean canCheck(String app) {
                return checks.canCheck(app);
            }

            @Override
            public boolean due(WorkerRecord worker, double rate) {
                return checks.due(worker, rate);
            }

            @Override
            public Optional<Scheduler.Assignment> create(WorkerRecord worker, long now, long deadline) {
                return checks.create(worker, now, deadline);
            }

            @Override
            public SpotChecks.Verdict judge(String id, String workerId, byte[] output) {
                return checks.judge(id, workerId, output);
            }
        };
    }
}
