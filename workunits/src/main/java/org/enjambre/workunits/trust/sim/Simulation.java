package org.enjambre.workunits.trust.sim;

import org.enjambre.workunits.model.TaskState;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.spec.Redundancy;
import org.enjambre.workunits.transition.Decision;
import org.enjambre.workunits.transition.Effect;
import org.enjambre.workunits.transition.Event;
import org.enjambre.workunits.transition.Transitioner;
import org.enjambre.workunits.trust.CredibilityAcceptance;
import org.enjambre.workunits.trust.Reputations;
import org.enjambre.workunits.trust.SpotChecker;
import org.enjambre.workunits.trust.TrustRules;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An in-process volunteer grid with saboteurs and no network: thousands of simulated workers fetch
 * work from a scheduler that uses the real {@link Transitioner} (with the policy's {@link
 * org.enjambre.workunits.transition.Acceptance}), {@link Reputations}, {@link SpotChecker} and the production
 * rule set {@link TrustRules#PRODUCTION} (spot-check warm-up, adaptive replication, credibility planning,
 * credibility wait), exactly as the package comment of {@code org.enjambre.workunits.trust} describes.
 *
 * <p>The model is Sarmenta's: at each step a worker chosen uniformly at random among those not
 * blacklisted asks for work and reports its result at once, so results arrive one at a time from random
 * workers. It gets a known-answer spot-check when the {@link SpotChecker} says so, else a replica of the
 * oldest unit that needs one and that it may take (never two replicas of a unit on one worker), else a
 * fresh unit. Honest workers always return the right answer; saboteurs return a wrong one with
 * probability s, the same wrong one when colluding. When every unit has been handed out and some wait
 * for credibility only, the workers holding such results get spot-checks (they count as cost too).
 *
 * <p>Time: a step is one task of one worker, and a task takes a worker {@value #TASK_SECONDS} s, so a step
 * lasts {@code TASK_SECONDS / active workers} seconds. A unit whose results have waited for credibility
 * for the rules' credibility wait gets one more replica ({@link Event.Stalled}), as in the coordinator.
 *
 * <p>Deterministic for a given scenario seed. Not thread-safe; one run per instance.
 */
public final class Simulation {
    /** How long a task takes a simulated worker: what turns the rules' credibility wait into steps. */
    public static final int TASK_SECONDS = 10;
    private static final String JOB = "sim";
    private static final long DEADLINE = 1L << 50; // results are instant: nothing ever times out
    private static final byte[] COLLUDED = "the saboteurs' answer".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private static final byte[] KNOWN_ANSWER = "a known answer".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final Scenario scenario;
    private final Policy policy;
    private final SplittableRandom random;
    private final Reputations reputations = new Reputations();
    private final SpotChecker checker;
    private final TrustRules rules;
    private final Transitioner transitioner;
    private final boolean credibilityBased;
    /** Whether units may wait for their workers' spot-checks ({@link Redundancy#waitsForChecks}). */
    private final boolean waitsForChecks;
    private final boolean spotChecking;
    /** Per unit: the step since which its results wait for credibility, or -1. */
    private final long[] waitingSince;
    /** Units that started waiting, in order: {index, since}. */
    private final ArrayDeque<long[]> waits = new ArrayDeque<>();
    private double[] candidates = new double[0];
    private long candidatesAt = Long.MIN_VALUE;
    private final WorkUnit[] units;
    private final boolean[] queued;
    private final ArrayDeque<Integer> needy = new ArrayDeque<>();
    private final List<Worker> active = new ArrayList<>();
    private final List<Worker> waiting = new ArrayList<>();
    private int nextFresh;
    private int identities;
    private long now;
    private long accepted;
    private long wrong;
    private long failed;
    private long results;
    private long spotChecks;
    private long saboteursBlacklisted;
    private long honestBlacklisted;

    private static final class Worker {
        final WorkerRef ref;
        final boolean saboteur;
        int slot;

        Worker(String id, boolean saboteur) {
            this.ref = WorkerRef.of(id);
            this.saboteur = saboteur;
        }
    }

    private Simulation(Scenario scenario, Policy policy, TrustRules rules) {
        this.scenario = scenario;
        this.policy = policy;
        this.rules = rules;
        this.random = new SplittableRandom(scenario.seed());
        this.checker = new SpotChecker(reputations, rules.spotChecks());
        Redundancy r = policy.redundancy();
        this.spotChecking = r.spotCheckRate() > 0;
        this.credibilityBased = r.credibilityBased();
        this.waitsForChecks = r.waitsForChecks();
        // The production acceptance (CredibilityAcceptance falls back to quorum voting, with checked workers
        // required in a job with spot-checks) wherever it can differ from plain quorum.
        this.transitioner = waitsForChecks
                ? new Transitioner(Arrays::equals, CredibilityAcceptance.of(reputations, rules.credibility()))
                : new Transitioner(Arrays::equals);
        this.waitingSince = new long[scenario.units()];
        Arrays.fill(waitingSince, -1);
        this.units = new WorkUnit[scenario.units()];
        this.queued = new boolean[scenario.units()];
        int saboteurs = scenario.saboteurs();
        for (int i = 0; i < scenario.workers(); i++) {
            join(i < saboteurs);
        }
    }

    /** Runs {@code policy} against {@code scenario} under the production rules until every unit is accepted or failed. */
    public static Report run(Scenario scenario, Policy policy) {
        return run(scenario, policy, TrustRules.PRODUCTION);
    }

    /** Runs {@code policy} against {@code scenario} under {@code rules} until every unit is accepted or failed. */
    public static Report run(Scenario scenario, Policy policy, TrustRules rules) {
        return new Simulation(scenario, policy, rules).run();
    }

    private Report run() {
        long total = scenario.units();
        long idle = 0;
        while (accepted + failed < total) {
            now++;
            if (active.isEmpty()) {
                throw new IllegalStateException("every worker is blacklisted with " + (total - accepted - failed) + " units left");
            }
            unstick();
            if (needy.isEmpty() && nextFresh >= total) {
                waitForCredibility();
                continue;
            }
            Worker w = active.get(random.nextInt(active.size()));
            if (checker.shouldSpotCheck(w.ref, policy.redundancy(), random)) {
                spotCheck(w);
                continue;
            }
            int unit = takeNeedy(w);
            if (unit < 0 && nextFresh < total) {
                unit = nextFresh++;
                units[unit] = WorkUnit.create(JOB, unit, policy.redundancy());
            }
            if (unit < 0) {
                if (++idle > 100L * scenario.workers() + 1_000_000) {
                    throw new IllegalStateException("no worker can take the units left: " + needy);
                }
                continue;
            }
            idle = 0;
            compute(w, unit);
        }
        return new Report(policy.name(), scenario, accepted, wrong, failed, results, spotChecks,
                saboteursBlacklisted, honestBlacklisted);
    }

    /** Every unit is out and none needs a replica: the workers whose results wait for credibility get spot-checks. */
    private void waitForCredibility() {
        if (waiting.isEmpty()) {
            for (Worker w : active) {
                if (checker.hasPending(w.ref.workerId())) {
                    waiting.add(w);
                }
            }
            if (waiting.isEmpty()) {
                throw new IllegalStateException("stuck: " + (scenario.units() - accepted - failed)
                        + " units left, none needs a replica and no result waits for credibility");
            }
        }
        int i = random.nextInt(waiting.size());
        Worker w = waiting.get(i);
        if (reputations.blacklisted(w.ref) || !checker.hasPending(w.ref.workerId())) {
            waiting.set(i, waiting.get(waiting.size() - 1));
            waiting.remove(waiting.size() - 1);
            return;
        }
        spotCheck(w);
    }

    private int takeNeedy(Worker w) {
        Iterator<Integer> it = needy.iterator();
        int scanned = 0;
        while (it.hasNext() && scanned < 32) {
            int i = it.next();
            WorkUnit u = units[i];
            if (u == null || u.state() != UnitState.NEEDS_REPLICAS) {
                it.remove();
                queued[i] = false;
                continue;
            }
            scanned++;
            if (Transitioner.canIssue(u, w.ref)) {
                if (unsent(u) == 1) {
                    it.remove();
                    queued[i] = false;
                }
                return i;
            }
        }
        return -1;
    }

    private void compute(Worker w, int index) {
        WorkUnit u = units[index];
        if (unsent(u) == u.tasks().size()) {
            Redundancy r = rules.replicasFor(u.policy(), reputations.worker(w.ref.workerId()), candidates(), random);
            if (!r.equals(u.policy())) {
                u = expect(transitioner.replan(u, r)).unit();
            }
        }
        Decision issued = expect(transitioner.apply(u, new Event.Issue(w.ref, now, now + DEADLINE)));
        int replica = ((Effect.Issued) issued.effects().get(0)).replica();
        results++;
        settle(index, expect(transitioner.apply(issued.unit(), new Event.Success(replica, w.ref.workerId(), answer(w, index), now))));
    }

    private void spotCheck(Worker w) {
        spotChecks++;
        boolean sabotage = w.saboteur && random.nextDouble() < scenario.sabotageRate();
        byte[] answer = sabotage ? COLLUDED : KNOWN_ANSWER;
        SpotChecker.Check check = checker.judge(w.ref, KNOWN_ANSWER, answer, Arrays::equals);
        if (!check.passed()) {
            blacklist(w);
            for (String id : check.invalidate()) {
                int index = index(id);
                if (units[index] != null) {
                    settle(index, transitioner.invalidate(units[index], w.ref.workerId()));
                }
            }
        } else if (waitsForChecks) {
            // Its credibility rose: every unit holding a result of it waiting for credibility is judged again
            // (the coordinator's Event.Credible).
            for (String id : checker.pendingUnits(w.ref.workerId())) {
                int index = index(id);
                if (units[index] != null) {
                    Decision d = transitioner.revalidate(units[index]);
                    if (!d.effects().isEmpty()) {
                        settle(index, d);
                    }
                }
            }
        }
    }

    /**
     * The credibilities of the workers that could take a unit's other replicas: every active worker's,
     * recomputed once per round (each worker's task).
     */
    private double[] candidates() {
        if (!credibilityBased) {
            return candidates;
        }
        if (now - candidatesAt >= active.size()) {
            candidates = new double[active.size()];
            for (int i = 0; i < candidates.length; i++) {
                candidates[i] = rules.credibility().ofWorker(reputations.worker(active.get(i).ref.workerId()));
            }
            candidatesAt = now;
        }
        return candidates;
    }

    /**
     * Units whose results waited for credibility for the rules' credibility wait get one more replica; those
     * that have {@code maxResults} replicas keep waiting for spot-checks.
     */
    private void unstick() {
        long wait = Math.max(1, rules.credibilityWait().toSeconds() * active.size() / TASK_SECONDS);
        while (!waits.isEmpty() && waits.peekFirst()[1] + wait <= now) {
            long[] w = waits.pollFirst();
            int index = (int) w[0];
            if (units[index] != null && waitingSince[index] == w[1] && units[index].tasks().size() < units[index].policy().maxResults()) {
                settle(index, expect(transitioner.apply(units[index], new Event.Stalled(now))));
            }
        }
    }

    private void settle(int index, Decision d) {
        WorkUnit u = d.unit();
        reputations.record(d);
        if (spotChecking) {
            checker.track(u); // the backtracking ledger: only spot-checks use it
        }
        for (Effect e : d.effects()) {
            if (e instanceof Effect.Done) {
                accepted++;
                if (!Arrays.equals(u.canonicalOutput().orElseThrow(), correct(index))) {
                    wrong++;
                }
            } else if (e instanceof Effect.Failed) {
                failed++;
            }
        }
        if (waitsForChecks) {
            if (!Transitioner.waitingForCredibility(u)) {
                waitingSince[index] = -1;
            } else if (waitingSince[index] < 0) {
                waitingSince[index] = now;
                waits.addLast(new long[]{index, now});
            }
        }
        if (u.terminal()) {
            units[index] = null;
        } else {
            units[index] = u;
            if (u.state() == UnitState.NEEDS_REPLICAS && !queued[index]) {
                queued[index] = true;
                needy.add(index);
            }
        }
    }

    private void blacklist(Worker w) {
        if (w.saboteur) {
            saboteursBlacklisted++;
        } else {
            honestBlacklisted++;
        }
        Worker last = active.remove(active.size() - 1);
        if (last != w) {
            active.set(w.slot, last);
            last.slot = w.slot;
        }
        if (w.saboteur && scenario.rejoin()) {
            join(true);
        }
    }

    private void join(boolean saboteur) {
        Worker w = new Worker("w" + identities++, saboteur);
        w.slot = active.size();
        active.add(w);
    }

    private byte[] answer(Worker w, int index) {
        if (w.saboteur && random.nextDouble() < scenario.sabotageRate()) {
            if (scenario.colluding()) {
                return COLLUDED;
            }
            byte[] own = new byte[16];
            random.nextBytes(own);
            return own;
        }
        return correct(index);
    }

    private static int unsent(WorkUnit u) {
        int n = 0;
        for (int i = 0; i < u.tasks().size(); i++) {
            if (u.task(i).state() == TaskState.UNSENT) {
                n++;
            }
        }
        return n;
    }

    private static byte[] correct(int index) {
        return ByteBuffer.allocate(Long.BYTES).putLong(index).array();
    }

    private static int index(String unitId) {
        return Integer.parseInt(unitId.substring(JOB.length() + 1));
    }

    private static Decision expect(Decision d) {
        if (!d.isAccepted()) {
            throw new IllegalStateException("the transitioner refused a simulated event: " + d.rejection().message());
        }
        return d;
    }
}
