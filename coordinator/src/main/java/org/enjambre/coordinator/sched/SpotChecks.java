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
    private static final int PER_APP = 64;

    /**
     * A unit's canonical result, used as a known answer. It was accepted by voting, so colluding saboteurs who
     * formed the quorum may have made it wrong: it is <em>provisional</em> until a worker that did not compute it
     * answers a check with it ({@link #CONFIRMATIONS}), and only a confirmed answer blacklists a worker who
     * contradicts it: at once, or when it becomes confirmed, for those who contradicted it while it was provisional
     * ({@link #takeConvicted}). Otherwise wrong answers learned from colluders would blacklist honest workers (found
     * by CredibilityPlanningTest). A provisional answer is dropped when more workers contradict it than computed it
     * (and at least {@link #CONTRADICTIONS}): the workers who formed its quorum are outvoted. Two colluders alone
     * cannot drop a right answer that two workers computed (found by CredibilityTest's colluders draining the
     * pool of answers that could convict them).
     */
    static final class KnownAnswer {
        final String id;
        final byte[] input;
        final byte[] output;
        final java.util.Set<String> sources;
        final java.util.Set<String> confirmedBy = ConcurrentHashMap.newKeySet();
        final java.util.Set<String> contradictedBy = ConcurrentHashMap.newKeySet();

        KnownAnswer(String id, byte[] input, byte[] output, java.util.Set<String> sources) {
            this.id = id;
            this.input = input;
            this.output = output;
            this.sources = sources;
        }

        /** An answer this peer computed itself (a built-in app): trusted from the start. */
        static KnownAnswer computedHere(String id, byte[] input, byte[] output) {
            KnownAnswer a = new KnownAnswer(id, input, output, java.util.Set.of());
            a.trusted = true;
            return a;
        }

        private volatile boolean trusted;

        boolean confirmed() {
            return trusted || confirmedBy.size() >= CONFIRMATIONS;
        }

        boolean outvoted() {
            return !confirmed() && contradictedBy.size() >= CONTRADICTIONS && contradictedBy.size() > sources.size();
        }
    }

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
    private final Map<String, List<KnownAnswer>> known = new ConcurrentHashMap<>();
    private final RandomGenerator random;
    private final Executor learner;
    private final ExecutorService ownLearner;
    /** Apps whose known answers {@link #seed} is computing. */
    private final java.util.Set<String> seeding = ConcurrentHashMap.newKeySet();
    /** Workers convicted by an answer confirmed after they contradicted it, not yet taken by {@link #takeConvicted}. */
    private final java.util.Set<String> convicted = ConcurrentHashMap.newKeySet();

    /** The coordinator's spot-checks: secure randomness, answers learned on a thread of their own. */
    public SpotChecks(PendingChecks pending, AppRegistry apps) {
        this.pending = pending;
        this.apps = apps;
        this.random = new SecureRandom();
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
        this.learner = learner;
        this.ownLearner = null;
    }

    /** Remembers a completed unit's canonical result as a known answer (asynchronously, cheaply). */
    public void learn(WorkUnit unit, java.util.function.Function<String, Optional<JobRecord>> jobs) {
        if (unit.canonicalOutput().isEmpty()) {
            return;
        }
        learner.execute(() -> {
            JobRecord j = jobs.apply(unit.jobId()).orElse(null);
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
        List<KnownAnswer> list = known.computeIfAbsent(app, k -> new ArrayList<>());
        synchronized (list) {
            list.removeIf(old -> old.id.equals(a.id));
            if (list.size() < PER_APP) {
                list.add(a);
            } else {
                list.set(random.nextInt(PER_APP), a);
            }
        }
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
        learner.execute(() -> {
            try {
                App app = apps.find(j.app()).orElse(null);
                JobSpecs.Parsed spec = JobSpecs.of(j);
                if (app == null || app.maxUnitSeconds(spec.input(), j.workUnits()) > SEED_MAX_UNIT_SECONDS) {
                    return;
                }
                for (int i = 0; i < Math.min(SEEDED, j.workUnits()); i++) {
                    int index = random.nextInt(j.workUnits());
                    byte[] input = app.unitInput(spec.input(), j.workUnits(), index);
                    byte[] output = app.run(input, org.enjambre.workunits.app.RunContext.inMemory());
                    if (app.wellFormed(output)) {
                        remember(j.app(), KnownAnswer.computedHere("computed:" + WorkUnit.id(j.id(), index), input, output));
                    }
                }
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(SpotChecks.class).warn("computing known answers for job {} failed: {}", j.id(), e.toString());
            } finally {
                seeding.remove(j.app());
            }
        });
    }

    /** Known answers {@link #seed} computes for an app. */
    static final int SEEDED = 4;
    /** The longest estimated unit {@link #seed} computes. */
    static final double SEED_MAX_UNIT_SECONDS = 2;

    /** Whether this peer knows an answer to check workers of {@code app} with. */
    @Override
    public boolean canCheck(String app) {
        List<KnownAnswer> list = known.get(app);
        return list != null && !list.isEmpty();
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
            List<KnownAnswer> list = known.get(app);
            if (list != null && !list.isEmpty()) {
                candidates.add(app);
            }
        }
        while (!candidates.isEmpty()) {
            String app = candidates.remove(random.nextInt(candidates.size()));
            List<KnownAnswer> list = known.get(app);
            KnownAnswer a = pick(list, worker.id());
            if (a != null) {
                return Optional.of(send(worker, app, a, now, deadline));
            }
            if (own == null) {
                synchronized (list) {
                    own = list.isEmpty() ? null : list.get(random.nextInt(list.size()));
                }
                ownApp = app;
            }
        }
        return own == null ? Optional.empty() : Optional.of(send(worker, ownApp, own, now, deadline));
    }

    /** A random answer of {@code list} that {@code workerId} did not help compute; {@code null} when there is none. */
    private KnownAnswer pick(List<KnownAnswer> list, String workerId) {
        synchronized (list) {
            int n = list.size();
            if (n == 0) {
                return null;
            }
            int start = random.nextInt(n);
            for (int i = 0; i < n; i++) {
                KnownAnswer a = list.get((start + i) % n);
                if (!a.sources.contains(workerId)) {
                    return a;
                }
            }
            return null;
        }
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
        KnownAnswer a = answer(p.app(), p.answerId(), p.expected());
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
                forget(p.app(), a); // most likely wrong: colluders formed its quorum
            }
        }
        if (right) {
            return Verdict.PASSED;
        }
        // Only a confirmed answer convicts; a provisional one may itself be the lie.
        if (p.confirmed() || (a != null && a.confirmed())) {
            forgetProvisionalFrom(workerId);
            return Verdict.FAILED;
        }
        return Verdict.UNKNOWN;
    }

    /** Drops the provisional answers a worker caught lying helped make: they are likely lies too. */
    private void forgetProvisionalFrom(String workerId) {
        for (List<KnownAnswer> list : known.values()) {
            synchronized (list) {
                list.removeIf(a -> !a.confirmed() && a.sources.contains(workerId));
            }
        }
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
                forgetProvisionalFrom(w);
            }
        }
        out.sort(null);
        return out;
    }

    /** The known answer a check was made from: its unit and its output (a unit accepted again has another). */
    private KnownAnswer answer(String app, String answerId, byte[] output) {
        List<KnownAnswer> list = known.get(app);
        if (list == null || answerId == null) {
            return null;
        }
        synchronized (list) {
            for (KnownAnswer a : list) {
                if (a.id.equals(answerId) && java.util.Arrays.equals(a.output, output)) {
                    return a;
                }
            }
        }
        return null;
    }

    private void forget(String app, KnownAnswer a) {
        List<KnownAnswer> list = known.get(app);
        if (list != null) {
            synchronized (list) {
                list.remove(a);
            }
        }
    }

    @Override
    public void close() {
        if (ownLearner != null) {
            ownLearner.shutdownNow();
        }
    }
}
