package org.enjambre.workunits.trust;

import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.ValidateState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.spec.Redundancy;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.random.RandomGenerator;

/**
 * Spot-checking with blacklisting and backtracking (Sarmenta): decides when a worker gets a
 * known-answer unit instead of real work, judges its answer, and on a wrong answer blacklists it and
 * names the units whose results of it must be invalidated and recomputed.
 *
 * <p>It keeps a ledger of each worker's results that are not validated yet, fed by {@link #track} after
 * every transition. On a failed spot-check all of them are returned: those since the worker's last
 * passed check, and older ones still not validated too, since a blacklisted worker's credibility is 0
 * and they could never be accepted. Results already validated are never revoked.
 *
 * <p>Thread-safe. The coordinator must refuse reports from blacklisted workers, or a result reported
 * after its worker was judged could escape backtracking.
 */
public final class SpotChecker {
    private final Reputations reputations;
    private final SpotCheckRate rate;
    private final Map<String, Set<String>> pending = new ConcurrentHashMap<>();

    /** A spot-checker that checks at the rate each job asks for, without warm-up, recording into {@code reputations}. */
    public SpotChecker(Reputations reputations) {
        this(reputations, SpotCheckRate.constant(TrustRules.PRODUCTION.plan()));
    }

    /** A spot-checker that decides when to check by {@code rate} (production: {@link TrustRules#spotChecks()}). */
    public SpotChecker(Reputations reputations, SpotCheckRate rate) {
        this.reputations = Objects.requireNonNull(reputations, "reputations");
        this.rate = Objects.requireNonNull(rate, "rate");
    }

    /** The reputations it records into. */
    public Reputations reputations() {
        return reputations;
    }

    /**
     * Whether the next task {@code worker} fetches from a job with policy {@code p} should be a known-answer
     * unit, by {@link SpotCheckRate#due}. Never for a job without spot-checks, nor for a worker blacklisted
     * itself or through its account (it gets no work at all).
     */
    public boolean shouldSpotCheck(WorkerRef worker, Redundancy p, RandomGenerator random) {
        return !reputations.blacklisted(worker) && rate.due(reputations.worker(worker.workerId()), p, random);
    }

    /** What a spot-check showed, and the units to {@link org.enjambre.workunits.transition.Transitioner#invalidate}. */
    public record Check(boolean passed, Reputation reputation, List<String> invalidate) {
        public Check {
            Objects.requireNonNull(reputation, "reputation");
            invalidate = List.copyOf(invalidate);
        }
    }

    /**
     * Judges {@code worker}'s {@code answer} to a known-answer unit whose accepted result is {@code expected},
     * comparing with the app's {@code agree}. Right: one more passed check. Wrong: the worker and its
     * account are blacklisted, and the ids of the units holding its results not validated yet are returned
     * (and forgotten here), for the caller to invalidate.
     */
    public Check judge(WorkerRef worker, byte[] expected, byte[] answer, BiPredicate<byte[], byte[]> agree) {
        Objects.requireNonNull(expected, "expected");
        boolean passed = answer != null && agree.test(expected, answer);
        if (passed) {
            return new Check(true, reputations.update(worker, Reputation::withSpotCheckPassed), List.of());
        }
        Reputation after = reputations.update(worker, Reputation::withSpotCheckFailed);
        Set<String> units = pending.remove(worker.workerId());
        return new Check(false, after, units == null ? List.of() : units.stream().sorted().toList());
    }

    /**
     * Updates the ledger from a unit as it is after a transition: each of its results that is a success not
     * validated yet, in a unit that is not terminal, is pending for its worker; every other replica is not.
     */
    public void track(WorkUnit unit) {
        String id = unit.id();
        for (Task t : unit.tasks()) {
            if (t.worker() == null) {
                continue;
            }
            String w = t.worker().workerId();
            if (!unit.terminal() && t.success() && t.validate() == ValidateState.PENDING) {
                pending.computeIfAbsent(w, k -> ConcurrentHashMap.newKeySet()).add(id);
            } else {
                pending.computeIfPresent(w, (k, set) -> {
                    set.remove(id);
                    return set.isEmpty() ? null : set;
                });
            }
        }
    }

    /** The ids of the units holding {@code workerId}'s results not validated yet, sorted. */
    public List<String> pendingUnits(String workerId) {
        Set<String> units = pending.get(workerId);
        return units == null ? List.of() : units.stream().sorted().toList();
    }

    /** Whether {@code workerId} has results not validated yet. */
    public boolean hasPending(String workerId) {
        Set<String> units = pending.get(workerId);
        return units != null && !units.isEmpty();
    }
}
