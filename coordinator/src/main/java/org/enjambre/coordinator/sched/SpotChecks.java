package org.enjambre.coordinator.sched;

import com.hazelcast.map.IMap;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Spot-checks (Sarmenta): known-answer tasks mixed into a worker's stream, indistinguishable from real
 * ones. A worker that gets one wrong is blacklisted and its results not yet validated are invalidated
 * (backtracking), so their units are recomputed. Known answers are canonical results of units that
 * this peer saw completed; pending checks live in the cluster map {@code spotchecks} until answered or
 * expired, so any peer can judge the answer.
 */
public final class SpotChecks implements AutoCloseable {
    /** Task ids of spot-checks start with this; they look like {@code jobId/unit/replica} to a worker. */
    public static final String PREFIX = "spot-";
    private static final int PER_APP = 64;

    /**
     * A unit's canonical result, used as a known answer. It was accepted by voting, so colluding saboteurs who
     * formed the quorum may have made it wrong: it is <em>provisional</em> until a worker that did not compute it
     * answers a check with it ({@link #CONFIRMATIONS}), and only a confirmed answer blacklists a worker who
     * contradicts it. Provisional answers that {@link #CONTRADICTIONS} other workers contradict are dropped.
     * Otherwise wrong answers learned from colluders would blacklist honest workers (found by CredibilityPlanningTest).
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

        boolean confirmed() {
            return confirmedBy.size() >= CONFIRMATIONS;
        }
    }

    /** Agreeing answers from workers outside a known answer's own unit that make it confirmed. */
    static final int CONFIRMATIONS = 1;
    /** Contradicting answers from other workers that drop a provisional known answer. */
    static final int CONTRADICTIONS = 2;

    /**
     * A spot-check sent to a worker and not answered yet: the answer expected, which known answer it came from, and
     * whether that answer was confirmed when the check was sent (only then does a wrong answer blacklist).
     */
    public record Pending(String workerId, String app, byte[] expected, String answerId, boolean confirmed) implements Serializable {
    }

    /** How a spot-check answer was judged. */
    public enum Verdict { PASSED, FAILED, ERRORED, NOT_YOURS, UNKNOWN }

    private final IMap<String, Pending> pending;
    private final AppRegistry apps;
    private final Map<String, List<KnownAnswer>> known = new ConcurrentHashMap<>();
    private final RandomGenerator random = new SecureRandom();
    private final ExecutorService learner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "enjambre-spot-learner");
        t.setDaemon(true);
        return t;
    });

    public SpotChecks(IMap<String, Pending> pending, AppRegistry apps) {
        this.pending = pending;
        this.apps = apps;
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
            List<KnownAnswer> list = known.computeIfAbsent(j.app(), k -> new ArrayList<>());
            synchronized (list) {
                if (list.size() < PER_APP) {
                    list.add(a);
                } else {
                    list.set(random.nextInt(PER_APP), a);
                }
            }
        });
    }

    /** Whether this peer knows an answer to check workers of {@code app} with. */
    boolean canCheck(String app) {
        List<KnownAnswer> list = known.get(app);
        return list != null && !list.isEmpty();
    }

    /**
     * Whether to send {@code worker} a spot-check now, at {@code rate}: the rate the trust rules gave it
     * ({@link org.enjambre.workunits.trust.SpotCheckRate}, warm-up included), decided by the issuer.
     */
    boolean due(WorkerRecord worker, double rate) {
        return rate > 0 && random.nextDouble() < rate;
    }

    /** A spot-check task for one of the worker's apps, if a known answer exists. */
    Optional<Scheduler.Assignment> create(WorkerRecord worker, long now, long deadline) {
        List<String> candidates = new ArrayList<>();
        for (String app : worker.apps()) {
            List<KnownAnswer> list = known.get(app);
            if (list != null && !list.isEmpty()) {
                candidates.add(app);
            }
        }
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        String app = candidates.get(random.nextInt(candidates.size()));
        List<KnownAnswer> list = known.get(app);
        KnownAnswer a;
        synchronized (list) {
            a = list.get(random.nextInt(list.size()));
        }
        String id = PREFIX + Long.toUnsignedString(random.nextLong(), 36) + "/" + random.nextInt(1000) + "/0";
        pending.set(id, new Pending(worker.id(), app, a.output, a.id, a.confirmed()), Math.max(1000, deadline - now),
                TimeUnit.MILLISECONDS);
        return Optional.of(new Scheduler.Assignment(id, app, a.input, deadline, 0.001, null));
    }

    /** Judges a worker's answer to a spot-check (an output, or {@code null} for an error report). */
    Verdict judge(String id, String workerId, byte[] output) {
        Pending p = pending.get(id);
        if (p == null) {
            return Verdict.UNKNOWN;
        }
        if (!p.workerId().equals(workerId)) {
            return Verdict.NOT_YOURS;
        }
        pending.delete(id);
        if (output == null) {
            return Verdict.ERRORED; // neither a pass nor a wrong answer
        }
        App app = apps.get(p.app());
        boolean right = app.wellFormed(output) && app.agree(p.expected(), output);
        KnownAnswer a = answer(p.app(), p.answerId());
        if (a != null && !a.sources.contains(workerId)) {
            (right ? a.confirmedBy : a.contradictedBy).add(workerId);
            if (!a.confirmed() && a.contradictedBy.size() >= CONTRADICTIONS) {
                forget(p.app(), a); // most likely wrong: colluders formed its quorum
            }
        }
        if (right) {
            return Verdict.PASSED;
        }
        // Only a confirmed answer convicts; a provisional one may itself be the lie.
        return p.confirmed() || (a != null && a.confirmed()) ? Verdict.FAILED : Verdict.UNKNOWN;
    }

    private KnownAnswer answer(String app, String answerId) {
        List<KnownAnswer> list = known.get(app);
        if (list == null || answerId == null) {
            return null;
        }
        synchronized (list) {
            for (KnownAnswer a : list) {
                if (a.id.equals(answerId)) {
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
        learner.shutdownNow();
    }
}
