package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.jobs.JobSpecs;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.model.WorkUnit;

import java.io.Serializable;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.random.RandomGenerator;

/**
 * Spot-checks (Sarmenta): known-answer tasks mixed into a worker's stream, indistinguishable from real
 * ones. A worker that gets one wrong is blacklisted and its results not yet validated are invalidated
 * (backtracking), so their units are recomputed. Known answers are canonical results of units that
 * this peer saw completed; pending checks live cluster-wide ({@link PendingChecks}: the map {@code spotchecks})
 * until answered or expired, so any peer can judge the answer. A worker is checked with an answer it helped
 * compute only when there is no other.
 */
public final class SpotChecks implements Checks, AutoCloseable {
    /** Task ids of spot-checks start with this; they look like {@code jobId/unit/replica} to a worker. */
    public static final String PREFIX = "spot-";
    /** Agreeing answers from workers outside a known answer's own unit that make it confirmed. */
    static final int CONFIRMATIONS = 1;
    /** Contradicting answers from other workers that drop a provisional known answer, at least (see {@link KnownAnswer}). */
    static final int CONTRADICTIONS = 2;

    /**
     * A spot-check sent to a worker and not answered yet: the answer expected, which known answer it came from, and
     * whether that answer was confirmed when the check was sent (only then does a wrong answer blacklist).
     */
    public record Pending(String workerId, String app, byte[] expected, String answerId, boolean confirmed) implements Serializable {
    }

    /** How a spot-check answer was judged. */
    public enum Verdict { PASSED, FAILED, ERRORED, NOT_YOURS, UNKNOWN }

    private final PendingChecks pending;
    private final AppRegistry apps;
    private final KnownAnswers known;
    private final RandomGenerator random;
    private final Executor learner;
    private final ExecutorService ownLearner;
    /** Apps whose known answers {@link #seed} is computing. */
    private final java.util.Set<String> seeding = ConcurrentHashMap.newKeySet();
    /** Jobs kept by {@link #learn}, at most (their app, input and unit count never change). */
    private static final int LEARNED_JOBS = 64;
    /** The records of the jobs whose units {@link #learn} saw lately; cleared when full. */
    private final Map<String, JobRecord> learnedJobs = new ConcurrentHashMap<>();
    /** Workers convicted by an answer confirmed after they contradicted it, not yet taken by {@link #takeConvicted}. */
    private final java.util.Set<String> convicted = ConcurrentHashMap.newKeySet();

    /** The coordinator's spot-checks: secure randomness, answers learned on a thread of their own. */
    public SpotChecks(PendingChecks pending, AppRegistry apps) {
        this.pending = pending;
        this.apps = apps;
        this.random = new SecureRandom();
        this.known = new KnownAnswers(random);
        this.ownLearner = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "enjambre-spot-learner");
            t.setDaemon(true);
            return t;
        });
        this.learner = ownLearner;
    }

    /** Spot-checks drawing from {@code random} and learning answers on {@code learner} (the simulation: seeded, inline). */
    public SpotChecks(PendingChecks pending, AppRegistry apps, RandomGenerator random, Executor learner) {
        this.pending = pending;
        this.apps = apps;
        this.random = random;
        this.known = new KnownAnswers(random);
        this.learner = learner;
        this.ownLearner = null;
    }

    /** Remembers a completed unit's canonical result as a known answer (asynchronously, cheaply). */
    public void learn(WorkUnit unit, java.util.function.Function<String, Optional<JobRecord>> jobs) {
        if (unit.canonicalOutput().isEmpty()) {
            return;
        }
        learner.execute(() -> {
            if (learnedJobs.size() >= LEARNED_JOBS) {
                learnedJobs.clear();
            }
            // A job's record is read once, not once per unit (its app, input and unit count never change).
            JobRecord j = learnedJobs.computeIfAbsent(unit.jobId(), id -> jobs.apply(id).orElse(null));
            if (j == null) {
                return;
            }
            App app = apps.find(j.app()).orElse(null);
            if (app == null || j.app().equals("wasm")) {
                return; // a wasm task needs its module as well; spot-check the built-in apps only
            }
            JobSpecs.Parsed spec = JobSpecs.of(j);
            java.util.Set<String> sources = new java.util.HashSet<>();
            unit.tasks().forEach(t -> {
                if (t.workerId() != null) {
                    sources.add(t.workerId());
                }
            });
            KnownAnswer a = new KnownAnswer(unit.id(), app.unitInput(spec.input(), j.workUnits(), unit.index()),
                    unit.canonicalOutput().get(), java.util.Set.copyOf(sources));
            remember(j.app(), a);
        });
    }

    /**
     * Adds a known answer to {@code app}'s pool, replacing a random one when the pool is full. A unit accepted again
     * (reopened after one of its workers was caught) replaces its earlier answer, which that worker helped make.
     */
    void remember(String app, KnownAnswer a) {
        known.remember(app, a);
    }

    /**
     * Known answers this peer computes itself for a job of a built-in app when it knows none for the app yet: in a
     * fresh cluster there is no completed unit to learn from, and without checks two colluders could form the quorum
     * of a whole first job (bench/scripts/saboteur-swarm.sh: real workers fill their buffers in the first second, and
     * the two saboteurs took both replicas of 148 of 150 units). The coordinator runs the app's own code on {@link #SEEDED}
     * real unit inputs of the job, on the learner thread, and only for apps whose units take at most
     * {@link #SEED_MAX_UNIT_SECONDS} (its cost estimate); never wasm modules, which are untrusted code.
     */
    @Override
    public void seed(JobRecord j) {
        if (j.app().equals("wasm") || j.workUnits() <= 0 || !seeding.add(j.app())) {
            return;
        }
        // The first answer at once, on the caller's (blocking) thread, so that the fetch that found none can already
        // carry a check (real workers fill their buffers from their first fetches); the others on the learner.
        boolean more = false;
        try {
            more = compute(j, 1);
        } finally {
            if (!more) {
                seeding.remove(j.app());
            }
        }
        if (more) {
            learner.execute(() -> {
                try {
                    compute(j, SEEDED - 1);
                } finally {
                    seeding.remove(j.app());
                }
            });
        }
    }

    /** Computes up to {@code n} answers of {@code j}'s units here; whether the app is one this peer computes. */
    private boolean compute(JobRecord j, int n) {
        try {
            App app = apps.find(j.app()).orElse(null);
            JobSpecs.Parsed spec = JobSpecs.of(j);
            if (app == null || app.maxUnitSeconds(spec.input(), j.workUnits()) > SEED_MAX_UNIT_SECONDS) {
                return false;
            }
            for (int i = 0; i < Math.min(n, j.workUnits()); i++) {
                int index = random.nextInt(j.workUnits());
                byte[] input = app.unitInput(spec.input(), j.workUnits(), index);
                byte[] output = app.run(input, org.enjambre.workunits.app.RunContext.inMemory());
                if (app.wellFormed(output)) {
                    remember(j.app(), KnownAnswer.computedHere("computed:" + WorkUnit.id(j.id(), index), input, output));
                }
            }
            return true;
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(SpotChecks.class).warn("computing known answers for job {} failed: {}", j.id(), e.toString());
            return false;
        }
    }

    /** Known answers {@link #seed} computes for an app. */
    static final int SEEDED = 4;
    /** The longest estimated unit {@link #seed} computes. */
    static final double SEED_MAX_UNIT_SECONDS = 2;

    /** Whether this peer knows an answer to check workers of {@code app} with. */
    @Override
    public boolean canCheck(String app) {
        return known.has(app);
    }

    /**
     * Whether to send {@code worker} a spot-check now, at {@code rate}: the rate the trust rules gave it
     * ({@link org.enjambre.workunits.trust.SpotCheckRate}, warm-up included), decided by the issuer.
     */
    @Override
    public boolean due(WorkerRecord worker, double rate) {
        return rate > 0 && random.nextDouble() < rate;
    }

    /**
     * A spot-check task for one of the worker's apps, if a known answer exists: preferably one the worker did not
     * help compute (only such an answer also confirms or contradicts what is known), else one it did (in a small
     * swarm every worker may have computed every answer; the check still catches a worker that answers
     * inconsistently).
     */
    @Override
    public Optional<Scheduler.Assignment> create(WorkerRecord worker, long now, long deadline) {
        KnownAnswer own = null;
        String ownApp = null;
        List<String> candidates = new ArrayList<>();
        for (String app : worker.apps()) {
            if (known.has(app)) {
                candidates.add(app);
            }
        }
        while (!candidates.isEmpty()) {
            String app = candidates.remove(random.nextInt(candidates.size()));
            KnownAnswer a = known.notFrom(app, worker.id());
            if (a != null) {
                return Optional.of(send(worker, app, a, now, deadline));
            }
            if (own == null) {
                own = known.any(app);
                ownApp = app;
            }
        }
        return own == null ? Optional.empty() : Optional.of(send(worker, ownApp, own, now, deadline));
    }

    private Scheduler.Assignment send(WorkerRecord worker, String app, KnownAnswer a, long now, long deadline) {
        String id = PREFIX + Long.toUnsignedString(random.nextLong(), 36) + "/" + random.nextInt(1000) + "/0";
        pending.put(id, new Pending(worker.id(), app, a.output, a.id, a.confirmed()), Math.max(1000, deadline - now));
        return new Scheduler.Assignment(id, app, a.input, deadline, 0.001, null);
    }

    /** Judges a worker's answer to a spot-check (an output, or {@code null} for an error report). */
    @Override
    public Verdict judge(String id, String workerId, byte[] output) {
        Pending p = pending.get(id);
        if (p == null) {
            return Verdict.UNKNOWN;
        }
        if (!p.workerId().equals(workerId)) {
            return Verdict.NOT_YOURS;
        }
        pending.remove(id);
        if (output == null) {
            return Verdict.ERRORED; // neither a pass nor a wrong answer
        }
        App app = apps.get(p.app());
        boolean right = app.wellFormed(output) && app.agree(p.expected(), output);
        KnownAnswer a = known.find(p.app(), p.answerId(), p.expected());
        if (a != null && !a.sources.contains(workerId)) {
            boolean wasConfirmed = a.confirmed();
            (right ? a.confirmedBy : a.contradictedBy).add(workerId);
            if (!wasConfirmed && a.confirmed()) {
                // Confirmed now: who contradicted it while it was provisional gave a wrong answer to a known one.
                for (String w : a.contradictedBy) {
                    if (!a.confirmedBy.contains(w)) {
                        convicted.add(w);
                    }
                }
            } else if (a.outvoted()) {
                known.forget(p.app(), a); // most likely wrong: colluders formed its quorum
            }
        }
        if (right) {
            return Verdict.PASSED;
        }
        // Only a confirmed answer convicts; a provisional one may itself be the lie.
        if (p.confirmed() || (a != null && a.confirmed())) {
            known.forgetProvisionalFrom(workerId);
            return Verdict.FAILED;
        }
        return Verdict.UNKNOWN;
    }

    /**
     * Workers convicted since the last call: they contradicted a known answer that was provisional then and is
     * confirmed now. The caller blacklists them as for a failed spot-check.
     */
    @Override
    public List<String> takeConvicted() {
        List<String> out = new ArrayList<>();
        for (String w : convicted) {
            if (convicted.remove(w)) {
                out.add(w);
                known.forgetProvisionalFrom(w);
            }
        }
        out.sort(null);
        return out;
    }

    @Override
    public void close() {
        if (ownLearner != null) {
            ownLearner.shutdownNow();
        }
    }
}
