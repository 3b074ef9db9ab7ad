package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.WorkerRecord;

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

    /**
     * Workers convicted since the last call by a known answer that was confirmed after they contradicted it
     * (see {@link SpotChecks#takeConvicted}); the caller blacklists them.
     */
    default java.util.List<String> takeConvicted() {
        return java.util.List.of();
    }

    /** Computes known answers for {@code job}'s app here when none is known yet (see {@link SpotChecks#seed}). */
    default void seed(org.enjambre.coordinator.model.JobRecord job) {
    }

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

    /**
     * The coordinator's {@link SpotChecks}, remembering in {@code sentTo} (a cluster map: check id → worker id,
     * kept an hour past each check's deadline) whom each check was sent to, so that an answer to a check that
     * was never sent to its worker is refused {@code NOT_YOURS} even after the check was answered or expired,
     * while a repeated answer of its own worker is still acknowledged.
     */
    static Checks of(SpotChecks checks, com.hazelcast.map.IMap<String, String> sentTo) {
        long keepMillis = 3_600_000;
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
                Optional<Scheduler.Assignment> a = checks.create(worker, now, deadline);
                a.ifPresent(check -> sentTo.set(check.id(), worker.id(), Math.max(0, deadline - now) + keepMillis,
                        java.util.concurrent.TimeUnit.MILLISECONDS));
                return a;
            }

            @Override
            public SpotChecks.Verdict judge(String id, String workerId, byte[] output) {
                SpotChecks.Verdict v = checks.judge(id, workerId, output);
                if (v == SpotChecks.Verdict.UNKNOWN && !workerId.equals(sentTo.get(id))) {
                    return SpotChecks.Verdict.NOT_YOURS; // never sent to this worker: a forged or guessed id
                }
                return v;
            }

            @Override
            public java.util.List<String> takeConvicted() {
                return checks.takeConvicted();
            }

            @Override
            public void seed(org.enjambre.coordinator.model.JobRecord job) {
                checks.seed(job);
            }
        };
    }
}
