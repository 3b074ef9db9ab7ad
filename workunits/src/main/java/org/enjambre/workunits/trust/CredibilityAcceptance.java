package org.enjambre.workunits.trust;

import org.enjambre.workunits.model.Outcome;
import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.TaskState;
import org.enjambre.workunits.spec.Redundancy;
import org.enjambre.workunits.transition.Acceptance;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Credibility-based acceptance (Sarmenta): a unit whose policy sets a {@link Redundancy#credibility()}
 * threshold θ is accepted once the group of agreeing results with the highest credibility reaches θ,
 * however many results that takes; units without a threshold fall back to plain quorum.
 *
 * <p>A result's credibility is its worker's <em>current</em> credibility, so a result that is not
 * credible enough yet becomes so as its worker passes more spot-checks: the simulation calls
 * {@link org.enjambre.workunits.transition.Transitioner#revalidate} for the worker's pending units, the
 * coordinator applies an {@link org.enjambre.workunits.transition.Event.Credible} to them (see
 * {@link #recorded()}), and meanwhile no replica is added. Replicas are added only to keep {@code replicas} results alive (after
 * backtracking invalidated some) and, when results disagree and none is in progress, one more to
 * break the tie, as far as {@code maxResults} allows: a unit that has them all waits for credibility.
 *
 * <p>Thread-safe when the credibility function is.
 */
public final class CredibilityAcceptance implements Acceptance {
    private static final CredibilityAcceptance RECORDED = new CredibilityAcceptance(Task::credibility,
            Credibility.assuming(TrustRules.ASSUMED_SABOTEUR_FRACTION).ofChecks(TrustRules.WARMUP_CHECKS));
    /** Credibilities within this of {@link #vouching} vouch. */
    private static final double EPSILON = 1e-9;

    private final ToDoubleFunction<Task> resultCredibility;
    /**
     * The credibility a worker's result needs to vouch for a quorum: a worker that passed its warm-up's spot-checks
     * ({@link TrustRules#WARMUP_CHECKS}), the end of its probation ({@link TrustRules#inProgressLimit}).
     */
    private final double vouching;

    /**
     * Acceptance reading each result's credibility, in [0, 1], from {@code resultCredibility}; a worker whose
     * credibility is {@code vouching} or more may vouch for a quorum in a job with spot-checks.
     */
    public CredibilityAcceptance(ToDoubleFunction<Task> resultCredibility, double vouching) {
        this.resultCredibility = Objects.requireNonNull(resultCredibility, "resultCredibility");
        this.vouching = vouching;
    }

    /** Acceptance with Sarmenta's credibility of the workers in {@code reputations}, as they are now. */
    public static CredibilityAcceptance of(Reputations reputations, Credibility credibility) {
        return new CredibilityAcceptance(t -> credibility.ofWorker(reputations.worker(t.workerId())),
                credibility.ofChecks(TrustRules.WARMUP_CHECKS));
    }

    /**
     * Acceptance with the credibility recorded in each result ({@link Task#credibility()}): what the
     * coordinator uses, where the unit's entry processor cannot look workers up; their credibility reaches
     * the unit with each report and with each {@link org.enjambre.workunits.transition.Event.Credible}.
     */
    public static CredibilityAcceptance recorded() {
        return RECORDED;
    }

    @Override
    public Verdict judge(Redundancy p, List<Task> tasks, List<List<Task>> groups) {
        if (!p.credibilityBased()) {
            return vouchedQuorum(p, tasks, groups);
        }
        int best = -1;
        double bestCredibility = -1;
        List<double[]> credibilities = credibilities(groups);
        for (int i = 0; i < groups.size(); i++) {
            double c = Credibility.ofGroup(i, credibilities);
            if (c > bestCredibility) {
                best = i;
                bestCredibility = c;
            }
        }
        if (best >= 0 && bestCredibility >= p.credibility()) {
            return Verdict.accept(best);
        }
        long live = tasks.stream().filter(t -> t.state() != TaskState.OVER).count();
        long results = groups.stream().mapToLong(List::size).sum();
        long more = Math.max(p.replicas() - (results + live), groups.size() > 1 && live == 0 ? 1 : 0);
        // The replicas planned up front are a plan, not a minimum: never ask for more than maxResults leaves room for
        // (released replicas do not count). At maxResults a unit with results waits for its workers' spot-checks
        // instead of failing: they may still make a group credible (or catch a liar, whose results backtracking
        // removes); Event.Stalled fails it in the end. A unit with no result, nothing under way and no room left
        // fails at once (asking for one more than the room makes the transitioner fail it, naming the requirement).
        long counted = tasks.stream().filter(t -> t.outcome() != Outcome.RELEASED).count();
        long room = Math.max(0, p.maxResults() - counted);
        if (groups.isEmpty() && live == 0 && room == 0) {
            return Verdict.pending((int) Math.max(1, more));
        }
        return Verdict.pending((int) Math.max(0, Math.min(more, room)));
    }

    /**
     * Quorum voting; in a job with spot-checks, a quorum made only of results of workers still on probation (fewer
     * than {@link TrustRules#WARMUP_CHECKS} spot-checks passed) is not enough unless it has one agreeing result more
     * than the quorum. Two colluding saboteurs that take both replicas of a unit before either is caught otherwise
     * make its answer (and, if the job completes before they are caught, the job's); with this rule they need a
     * third, or one of them must first pass five checks while lying on other units (at a lie rate of one half, one
     * chance in 32 of escaping them). One passed check was enough until the seventh session: the whole-swarm
     * simulation still found 2.2 % of quorum-2 jobs with spot-checks wrong. Such
     * a unit waits for its workers' checks ({@link org.enjambre.workunits.transition.Event.Credible} accepts it
     * as soon as one of them ends its probation) or, after the credibility wait, gets one more replica
     * ({@link org.enjambre.workunits.transition.Event.Stalled}). Never stricter than plain quorum at
     * {@code maxResults}: what plain quorum accepts there is accepted.
     */
    private Verdict vouchedQuorum(Redundancy p, List<Task> tasks, List<List<Task>> groups) {
        Verdict plain = Acceptance.quorum().judge(p, tasks, groups);
        if (!plain.accepted() || p.spotCheckRate() == 0) {
            return plain;
        }
        List<Task> group = groups.get(plain.accept());
        if (group.size() > p.quorum() || vouched(group)) {
            return plain;
        }
        for (int i = 0; i < groups.size(); i++) {
            if (groups.get(i).size() == group.size() && vouched(groups.get(i))) {
                return Verdict.accept(i); // a tie: the group a checked worker is in beats one no checked worker is in
            }
        }
        long counted = tasks.stream().filter(t -> t.outcome() != Outcome.RELEASED).count();
        if (counted >= p.maxResults()) {
            return plain;
        }
        return Verdict.pending(0); // wait for the replicas under way, or for a check of one of the group's workers
    }

    /** Whether a result of {@code group} comes from a worker that had ended its probation. */
    private boolean vouched(List<Task> group) {
        for (Task t : group) {
            if (resultCredibility.applyAsDouble(t) >= vouching - EPSILON) {
                return true;
            }
        }
        return false;
    }

    /** The credibility of every group of a unit, in order: what {@link #judge} compares with θ. */
    public double[] groupCredibilities(List<List<Task>> groups) {
        List<double[]> credibilities = credibilities(groups);
        double[] out = new double[groups.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Credibility.ofGroup(i, credibilities);
        }
        return out;
    }

    private List<double[]> credibilities(List<List<Task>> groups) {
        List<double[]> out = new ArrayList<>(groups.size());
        for (List<Task> g : groups) {
            double[] c = new double[g.size()];
            for (int i = 0; i < c.length; i++) {
                c[i] = resultCredibility.applyAsDouble(g.get(i));
            }
            out.add(c);
        }
        return out;
    }

    @Override
    public String requirement(Redundancy p) {
        return p.credibilityBased() ? "group of agreeing results with credibility " + p.credibility()
                : Acceptance.quorum().requirement(p);
    }
}
