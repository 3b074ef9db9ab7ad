package org.enjambre.workunits.transition;

import org.enjambre.workunits.model.Outcome;
import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.TaskState;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.ValidateState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.spec.Redundancy;
import org.enjambre.workunits.transition.Decision.Reason;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.BiPredicate;

/**
 * The heart of the platform: given a work unit and an event, the new unit and what must happen
 * next. It merges BOINC's transitioner (replicas to create, deadlines, error limits) and validator
 * (quorum, canonical result, valid and invalid marks) into one pure function.
 *
 * <p>Pure and thread-safe: no clock (time comes in the events), no I/O, no shared state. A refused
 * event returns the unit unchanged with a {@link Decision.Rejection}. Every accepted change
 * increments {@link WorkUnit#version()}; an accepted event that changes nothing (a duplicate report)
 * returns the same unit instance.
 *
 * <p>A unit is done when {@code quorum} successes agree with one of them, which becomes the canonical
 * result (the earliest such replica); the successes agreeing with it are valid, the others invalid.
 * Replicas are created to keep {@code replicas} results done or under way, as far as {@code maxResults}
 * allows; the unit fails when even unanimous live replicas could no longer make a quorum within
 * {@code maxResults}, or when more than {@code maxErrors} replicas failed.
 *
 * <p>Invariants kept: no two replicas share a worker (nor an account or host, when given); a replica
 * leaves {@code OVER} only by a late success after {@code NO_REPLY}; a terminal unit never changes
 * state again; at most {@code maxResults} replicas are ever created, besides released ones
 * ({@link Event.Release}: at most one per worker per unit, since a worker never gets two replicas of a unit).
 */
public final class Transitioner {
    private static final Transitioner EXACT = new Transitioner(Arrays::equals);

    private final BiPredicate<byte[], byte[]> agree;
    private final Acceptance acceptance;

    /** A transitioner comparing outputs with {@code agree} (the app's comparison) and accepting by plain quorum. */
    public Transitioner(BiPredicate<byte[], byte[]> agree) {
        this(agree, Acceptance.quorum());
    }

    /**
     * A transitioner comparing outputs with {@code agree} and accepting results by {@code acceptance}
     * (for instance credibility-based acceptance) instead of plain quorum.
     */
    public Transitioner(BiPredicate<byte[], byte[]> agree, Acceptance acceptance) {
        this.agree = Objects.requireNonNull(agree, "agree");
        this.acceptance = Objects.requireNonNull(acceptance, "acceptance");
    }

    /** A transitioner comparing outputs byte for byte. */
    public static Transitioner exact() {
        return EXACT;
    }

    /** Applies {@code event} to {@code unit}. */
    public Decision apply(WorkUnit unit, Event event) {
        if (event instanceof Event.Issue e) {
            return issue(unit, e);
        }
        if (event instanceof Event.Success e) {
            return success(unit, e);
        }
        if (event instanceof Event.ClientError e) {
            return clientError(unit, e);
        }
        if (event instanceof Event.DeadlinePassed e) {
            return deadline(unit, e);
        }
        if (event instanceof Event.Cancel e) {
            return cancel(unit, e);
        }
        if (event instanceof Event.Credible e) {
            return credible(unit, e);
        }
        if (event instanceof Event.Stalled e) {
            return stalled(unit, e);
        }
        if (event instanceof Event.Release e) {
            return release(unit, e);
        }
        throw new IllegalArgumentException("unknown event " + event);
    }

    /** Whether {@code worker} may be sent a replica of {@code unit} now. */
    public static boolean canIssue(WorkUnit unit, WorkerRef worker) {
        if (unit.terminal() || unit.count(TaskState.UNSENT) == 0) {
            return false;
        }
        for (Task t : unit.tasks()) {
            if (t.bindsPlacement() && shares(t.worker(), worker)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Changes the redundancy policy of a unit none of whose replicas was sent yet, resizing its unsent
     * replicas to {@code policy.replicas()}: how adaptive replication runs a unit alone on a trusted
     * worker (replicas 1, quorum 1) or gives it more replicas. Refused ({@link Reason#CONFLICT}) once a
     * replica was sent or the unit is terminal; the same policy again changes nothing.
     */
    public Decision replan(WorkUnit unit, Redundancy policy) {
        Objects.requireNonNull(policy, "policy");
        if (unit.terminal() || any(unit.tasks(), t -> t.state() != TaskState.UNSENT)) {
            return Decision.rejected(unit, Reason.CONFLICT, "unit " + unit.id()
                    + " already has replicas sent (or is finished); its redundancy can no longer change");
        }
        if (policy.equals(unit.policy()) && unit.tasks().size() == policy.replicas()) {
            return Decision.accepted(unit, List.of());
        }
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < policy.replicas(); i++) {
            tasks.add(Task.unsent(i));
        }
        List<Effect> effects = new ArrayList<>();
        if (policy.replicas() > unit.tasks().size()) {
            effects.add(new Effect.ReplicasCreated(policy.replicas() - unit.tasks().size()));
        }
        WorkUnit replanned = new WorkUnit(unit.jobId(), unit.index(), policy, UnitState.NEEDS_REPLICAS, tasks, -1, null,
                unit.version() + 1);
        return Decision.accepted(replanned, effects);
    }

    /**
     * Judges a unit that is not terminal again, without any new result: for an {@link Acceptance}
     * whose answer changes with time (credibility grows as workers pass spot-checks). Changes nothing,
     * and returns the same instance, unless the unit is now accepted, fails or needs more replicas.
     */
    public Decision revalidate(WorkUnit unit) {
        if (unit.terminal()) {
            return Decision.accepted(unit, List.of());
        }
        Decision d = evaluate(unit, new ArrayList<>(unit.tasks()), new ArrayList<>());
        return d.effects().isEmpty() ? Decision.accepted(unit, List.of()) : d;
    }

    /**
     * Backtracking: marks every not-yet-validated result of {@code workerId} in a unit that is not
     * terminal {@link ValidateState#INVALID} (a {@link Effect.Judged} with {@code valid = false} each,
     * the output dropped), then judges the unit again, which creates the replicas needed to recompute
     * it. A terminal unit is left as it is (an accepted result is never revoked), and so is a unit
     * without such a result (the same instance is returned). Replicas still in progress on that
     * worker are left to their deadline.
     */
    public Decision invalidate(WorkUnit unit, String workerId) {
        Objects.requireNonNull(workerId, "workerId");
        if (unit.terminal()) {
            return Decision.accepted(unit, List.of());
        }
        List<Task> tasks = new ArrayList<>(unit.tasks());
        List<Effect> effects = new ArrayList<>();
        markInvalid(unit, workerId, ValidateState.PENDING, tasks, effects);
        if (effects.isEmpty()) {
            return Decision.accepted(unit, List.of());
        }
        return evaluate(unit, tasks, effects);
    }

    /**
     * Backtracking into an accepted unit (Sarmenta), while its job runs: {@code workerId} failed a spot-check, so
     * its VALID results here become INVALID. If what is left no longer makes the accepted result stand (the
     * canonical result was the worker's, or fewer than {@code quorum} valid results remain, or the job judges
     * by credibility), the unit is open again: the results that are left stay as they were (their workers keep
     * their credit; the canonical output, if not the worker's, still counts as a vote) and replicas are added
     * for what acceptance needs. A unit that could not reach acceptance again within {@code maxResults} stays
     * accepted when its canonical result was not the worker's (only that worker's results are marked), and
     * fails when it was: a result known to come from a saboteur is never kept. Unchanged when the worker has no
     * VALID result here or the unit is not DONE.
     */
    public Decision reopen(WorkUnit unit, String workerId) {
        Objects.requireNonNull(workerId, "workerId");
        if (unit.state() != UnitState.DONE) {
            return Decision.accepted(unit, List.of());
        }
        List<Task> tasks = new ArrayList<>(unit.tasks());
        List<Effect> effects = new ArrayList<>();
        markInvalid(unit, workerId, ValidateState.VALID, tasks, effects);
        if (effects.isEmpty()) {
            return Decision.accepted(unit, List.of());
        }
        Redundancy p = unit.policy();
        boolean canonicalLost = workerId.equals(unit.tasks().get(unit.canonical()).workerId());
        long stillValid = count(tasks, t -> t.validate() == ValidateState.VALID);
        Decision marked = canonicalLost ? null : Decision.accepted(next(unit, UnitState.DONE, tasks, unit.canonical(), null), effects);
        if (marked != null && !p.credibilityBased() && stillValid >= p.quorum()) {
            return marked; // the accepted result still stands on its own quorum
        }
        Decision open = evaluate(unit, new ArrayList<>(tasks), new ArrayList<>(effects));
        // Acceptance out of reach within maxResults, but the accepted result was not the caught worker's: it stays.
        return open.unit().state() == UnitState.FAILED && marked != null ? marked : open;
    }

    /** Marks {@code workerId}'s successful results in state {@code from} INVALID, with their effects (backtracking). */
    private static void markInvalid(WorkUnit unit, String workerId, ValidateState from, List<Task> tasks, List<Effect> effects) {
        for (Task t : unit.tasks()) {
            if (t.success() && t.validate() == from && workerId.equals(t.workerId())) {
                tasks.set(t.replica(), t.judged(ValidateState.INVALID, false));
                effects.add(new Effect.Judged(t.replica(), workerId, false));
            }
        }
    }

    /**
     * Adds one unsent replica to a unit that is not terminal: for a unit whose results wait for
     * credibility while their workers went away. Refused ({@link Reason#NOTHING_TO_ISSUE}) for a terminal
     * unit or when {@code maxResults} replicas exist already.
     */
    public Decision addReplica(WorkUnit unit) {
        if (unit.terminal() || counted(unit.tasks()) >= unit.policy().maxResults()) {
            return Decision.rejected(unit, Reason.NOTHING_TO_ISSUE, "unit " + unit.id() + (unit.terminal() ? " is " + unit.state()
                    : " already has " + counted(unit.tasks()) + " replicas (redundancy.maxResults)"));
        }
        List<Task> tasks = new ArrayList<>(unit.tasks());
        tasks.add(Task.unsent(tasks.size()));
        return Decision.accepted(next(unit, UnitState.NEEDS_REPLICAS, tasks, -1, null), List.of(new Effect.ReplicasCreated(1)));
    }

    /**
     * Whether a unit waits for the credibility of its results: credibility-based, not terminal, every
     * replica over, and at least one success not judged yet. Only spot-checks of its workers (or one more
     * replica, {@link Event.Stalled}) move it on.
     */
    public static boolean waitingForCredibility(WorkUnit unit) {
        if (!unit.policy().waitsForChecks() || unit.terminal()) {
            return false;
        }
        boolean pending = false;
        for (Task t : unit.tasks()) {
            if (t.state() != TaskState.OVER) {
                return false;
            }
            pending |= t.success() && t.validate() == ValidateState.PENDING;
        }
        return pending;
    }

    private Decision credible(WorkUnit unit, Event.Credible e) {
        if (unit.terminal()) {
            return Decision.accepted(unit, List.of());
        }
        List<Task> tasks = new ArrayList<>(unit.tasks());
        boolean changed = false;
        for (Task t : unit.tasks()) {
            if (t.success() && t.validate() == ValidateState.PENDING && e.workerId().equals(t.workerId())
                    && t.credibility() != e.credibility()) {
                tasks.set(t.replica(), t.withCredibility(e.credibility()));
                changed = true;
            }
        }
        if (!changed) {
            return Decision.accepted(unit, List.of());
        }
        return evaluate(unit, tasks, new ArrayList<>());
    }

    private Decision stalled(WorkUnit unit, Event.Stalled e) {
        if (!waitingForCredibility(unit)) {
            return Decision.accepted(unit, List.of()); // moved on meanwhile
        }
        if (counted(unit.tasks()) >= unit.policy().maxResults()) {
            List<Task> tasks = new ArrayList<>(unit.tasks());
            return fail(unit, tasks, new ArrayList<>(), "no " + acceptance.requirement(unit.policy()) + " within "
                    + unit.policy().maxResults() + " replicas (redundancy.maxResults)");
        }
        return addReplica(unit);
    }

    private static boolean shares(WorkerRef a, WorkerRef b) {
        return a.workerId().equals(b.workerId())
                || (a.accountId() != null && a.accountId().equals(b.accountId()))
                || (a.hostId() != null && a.hostId().equals(b.hostId()));
    }

    private Decision issue(WorkUnit unit, Event.Issue e) {
        if (!canIssue(unit, e.worker())) {
            return Decision.rejected(unit, Reason.NOTHING_TO_ISSUE, unit.terminal() ? "unit " + unit.id() + " is " + unit.state()
                    : unit.count(TaskState.UNSENT) == 0 ? "unit " + unit.id() + " has no unsent replica"
                    : "worker " + e.worker().workerId() + " (or its account or host) already has a replica of unit " + unit.id());
        }
        List<Task> tasks = new ArrayList<>(unit.tasks());
        int replica = -1;
        for (Task t : tasks) {
            if (t.state() == TaskState.UNSENT) {
                replica = t.replica();
                break;
            }
        }
        tasks.set(replica, tasks.get(replica).sent(e.worker(), e.now(), e.deadline()));
        boolean unsent = any(tasks, t -> t.state() == TaskState.UNSENT);
        return Decision.accepted(next(unit, unsent ? UnitState.NEEDS_REPLICAS : UnitState.IN_PROGRESS, tasks, -1, null),
                List.of(new Effect.Issued(replica, e.worker().workerId())));
    }

    private Decision success(WorkUnit unit, Event.Success e) {
        Decision refused = checkOwner(unit, e.replica(), e.workerId());
        if (refused != null) {
            return refused;
        }
        Task t = unit.task(e.replica());
        List<Effect> effects = new ArrayList<>();
        if (t.state() == TaskState.OVER) {
            switch (t.outcome()) {
                case SUCCESS:
                    if (t.reported(e.output())) {
                        return Decision.accepted(unit, List.of()); // the same report again
                    }
                    return Decision.rejected(unit, Reason.CONFLICT, "task " + unit.id() + "/" + e.replica()
                            + " was already reported with a different output");
                case CLIENT_ERROR:
                    return Decision.rejected(unit, Reason.CONFLICT, "task " + unit.id() + "/" + e.replica()
                            + " was already reported as an error");
                case DIDNT_NEED:
                    if (unit.state() != UnitState.DONE) {
                        return Decision.accepted(unit, List.of()); // cancelled or failed: nothing to judge
                    }
                    break; // done: judge it against the canonical result, it still earns credit
                case NO_REPLY:
                case RELEASED:
                    for (Task o : unit.tasks()) {
                        if (o.replica() != t.replica() && o.bindsPlacement() && shares(o.worker(), t.worker())) {
                            // Its worker took the unit again (Task#bindsPlacement): one result per worker, account, host.
                            return Decision.rejected(unit, Reason.CONFLICT, "task " + unit.id() + "/" + e.replica()
                                    + " ended without a report and its worker took the unit again as replica " + o.replica()
                                    + "; only that replica's result is used");
                        }
                    }
                    break; // late, but still used, as BOINC does
                default:
                    throw new IllegalStateException("over with outcome " + t.outcome());
            }
        }
        List<Task> tasks = new ArrayList<>(unit.tasks());
        Task reported = t.over(Outcome.SUCCESS, e.now(), e.output(), null).withCredibility(e.credibility());
        if (unit.state() == UnitState.DONE) {
            byte[] canonical = unit.task(unit.canonical()).output();
            boolean valid = agree.test(canonical, e.output());
            tasks.set(e.replica(), reported.judged(valid ? ValidateState.VALID : ValidateState.INVALID, false));
            effects.add(new Effect.Judged(e.replica(), e.workerId(), valid));
            return Decision.accepted(next(unit, unit.state(), tasks, unit.canonical(), unit.failure()), effects);
        }
        if (unit.state() == UnitState.FAILED) {
            tasks.set(e.replica(), reported.judged(ValidateState.INCONCLUSIVE, false));
            return Decision.accepted(next(unit, unit.state(), tasks, unit.canonical(), unit.failure()), effects);
        }
        tasks.set(e.replica(), reported);
        return evaluate(unit, tasks, effects);
    }

    private Decision clientError(WorkUnit unit, Event.ClientError e) {
        Decision refused = checkOwner(unit, e.replica(), e.workerId());
        if (refused != null) {
            return refused;
        }
        Task t = unit.task(e.replica());
        if (t.state() == TaskState.OVER) {
            if (t.outcome() == Outcome.SUCCESS) {
                return Decision.rejected(unit, Reason.CONFLICT, "task " + unit.id() + "/" + e.replica()
                        + " was already reported with an output");
            }
            return Decision.accepted(unit, List.of()); // a duplicate, or too late to matter
        }
        List<Task> tasks = new ArrayList<>(unit.tasks());
        tasks.set(e.replica(), t.over(Outcome.CLIENT_ERROR, e.now(), null, e.message()));
        List<Effect> effects = new ArrayList<>();
        effects.add(new Effect.Errored(e.replica(), e.workerId(), false));
        if (unit.terminal()) {
            return Decision.accepted(next(unit, unit.state(), tasks, unit.canonical(), unit.failure()), effects);
        }
        return evaluate(unit, tasks, effects);
    }

    private Decision deadline(WorkUnit unit, Event.DeadlinePassed e) {
        List<Task> tasks = new ArrayList<>(unit.tasks());
        List<Effect> effects = new ArrayList<>();
        for (Task t : unit.tasks()) {
            if (t.state() == TaskState.IN_PROGRESS && t.deadline() <= e.now()) {
                tasks.set(t.replica(), t.over(Outcome.NO_REPLY, e.now(), null, "no reply by the deadline"));
                effects.add(new Effect.Errored(t.replica(), t.workerId(), true));
            }
        }
        if (effects.isEmpty()) {
            return Decision.accepted(unit, List.of());
        }
        if (unit.terminal()) {
            return Decision.accepted(next(unit, unit.state(), tasks, unit.canonical(), unit.failure()), effects);
        }
        return evaluate(unit, tasks, effects);
    }

    private Decision release(WorkUnit unit, Event.Release e) {
        if (unit.terminal()) {
            return Decision.accepted(unit, List.of());
        }
        List<Task> tasks = new ArrayList<>(unit.tasks());
        List<Effect> effects = new ArrayList<>();
        for (Task t : unit.tasks()) {
            if (t.state() == TaskState.IN_PROGRESS && e.workerId().equals(t.workerId())) {
                tasks.set(t.replica(), t.over(Outcome.RELEASED, e.now(), null, e.reason()));
                effects.add(new Effect.Released(t.replica(), t.workerId()));
            }
        }
        return effects.isEmpty() ? Decision.accepted(unit, List.of()) : evaluate(unit, tasks, effects);
    }

    /** Replicas that count toward {@code maxResults}: all but released ones (not their workers' doing). */
    static int counted(List<Task> tasks) {
        int n = 0;
        for (Task t : tasks) {
            if (t.outcome() != Outcome.RELEASED) {
                n++;
            }
        }
        return n;
    }

    private Decision cancel(WorkUnit unit, Event.Cancel e) {
        if (unit.terminal()) {
            return Decision.accepted(unit, List.of());
        }
        String reason = e.reason() == null ? "cancelled" : e.reason();
        List<Task> tasks = new ArrayList<>(unit.tasks());
        finish(tasks, e.now(), false);
        List<Effect> effects = new ArrayList<>();
        effects.add(new Effect.Failed(reason));
        return Decision.accepted(next(unit, UnitState.FAILED, tasks, -1, reason), effects);
    }

    private static Decision checkOwner(WorkUnit unit, int replica, String workerId) {
        if (replica < 0 || replica >= unit.tasks().size()) {
            return Decision.rejected(unit, Reason.UNKNOWN_TASK, "unit " + unit.id() + " has no replica " + replica);
        }
        Task t = unit.task(replica);
        if (t.worker() == null || !t.worker().workerId().equals(workerId)) {
            return Decision.rejected(unit, Reason.NOT_YOURS, "task " + unit.id() + "/" + replica + " was not sent to worker " + workerId);
        }
        return null;
    }

    /** Validates the successes of a unit that is not terminal, then creates replicas or fails it as needed. */
    private Decision evaluate(WorkUnit unit, List<Task> tasks, List<Effect> effects) {
        Redundancy p = unit.policy();
        List<List<Task>> classes = agreementGroups(tasks);
        Acceptance.Verdict verdict = acceptance.judge(p, Collections.unmodifiableList(tasks),
                classes.stream().map(Collections::unmodifiableList).toList());
        if (verdict.accept() >= classes.size()) {
            throw new IllegalStateException(acceptance + " accepted group " + verdict.accept() + " of " + classes.size());
        }
        if (verdict.accepted()) {
            List<Task> best = classes.get(verdict.accept());
            int canonical = best.get(0).replica();
            for (Task t : tasks.toArray(new Task[0])) {
                if (t.success() && t.validate() == ValidateState.PENDING) {
                    boolean valid = best.contains(t);
                    tasks.set(t.replica(), t.judged(valid ? ValidateState.VALID : ValidateState.INVALID, t.replica() == canonical));
                    effects.add(new Effect.Judged(t.replica(), t.workerId(), valid));
                } else if (t.state() == TaskState.UNSENT) {
                    tasks.set(t.replica(), t.over(Outcome.DIDNT_NEED, 0, null, null));
                }
            }
            effects.add(new Effect.Done(canonical));
            return Decision.accepted(next(unit, UnitState.DONE, tasks, canonical, null), effects);
        }

        long errors = count(tasks, Task::failed);
        if (errors > p.maxErrors()) {
            return fail(unit, tasks, effects, "too many errors: " + errors + " replicas failed (redundancy.maxErrors is "
                    + p.maxErrors() + ")" + Errors.quoted(tasks));
        }
        int needed = verdict.moreReplicas();
        if (needed == 0 && !any(tasks, t -> t.state() != TaskState.OVER)
                && !any(tasks, t -> t.success() && t.validate() == ValidateState.PENDING)) {
            // Not accepted, nothing in flight, nothing waiting to be judged (a reopened credibility unit keeps its
            // judged results): without one more replica it would never move (swarm simulation, seeds 101036, 102934).
            needed = 1;
        }
        if (needed > 0) {
            // An acceptance asks for more than maxResults allows only when acceptance is out of reach.
            if (counted(tasks) + needed > p.maxResults()) {
                return fail(unit, tasks, effects, "no " + acceptance.requirement(p) + " within "
                        + p.maxResults() + " replicas (redundancy.maxResults)");
            }
            for (int i = 0; i < needed; i++) {
                tasks.add(Task.unsent(tasks.size()));
            }
            effects.add(new Effect.ReplicasCreated(needed));
        }
        boolean unsent = any(tasks, t -> t.state() == TaskState.UNSENT);
        return Decision.accepted(next(unit, unsent ? UnitState.NEEDS_REPLICAS : UnitState.IN_PROGRESS,
                tasks, -1, null), effects);
    }

    private static Decision fail(WorkUnit unit, List<Task> tasks, List<Effect> effects, String reason) {
        finish(tasks, 0, true);
        effects.add(new Effect.Failed(reason));
        return Decision.accepted(next(unit, UnitState.FAILED, tasks, -1, reason), effects);
    }

    /** Ends every replica that is not over (DIDNT_NEED) and marks pending successes inconclusive. */
    private static void finish(List<Task> tasks, long now, boolean keepInProgress) {
        for (Task t : tasks.toArray(new Task[0])) {
            if (t.state() == TaskState.UNSENT || (!keepInProgress && t.state() == TaskState.IN_PROGRESS)) {
                tasks.set(t.replica(), t.over(Outcome.DIDNT_NEED, now, null, null));
            } else if (t.success() && t.validate() == ValidateState.PENDING) {
                tasks.set(t.replica(), t.judged(ValidateState.INCONCLUSIVE, false));
            }
        }
    }

    /**
     * The groups of successes that agree with one of them, that one first (BOINC's validator: each
     * result is a candidate, its group the results agreeing with it), in candidate order, without
     * repeating a group. With an exact comparison the groups are the classes of equal outputs; with a
     * tolerance they may overlap, and the largest is the one a quorum looks for.
     */
    private List<List<Task>> agreementGroups(List<Task> tasks) {
        List<List<Task>> groups = new ArrayList<>();
        List<java.util.Set<Integer>> seen = new ArrayList<>();
        for (Task candidate : tasks) {
            if (!candidate.success() || candidate.output() == null) {
                continue;
            }
            List<Task> group = new ArrayList<>();
            java.util.Set<Integer> members = new java.util.HashSet<>();
            group.add(candidate);
            members.add(candidate.replica());
            for (Task t : tasks) {
                if (t != candidate && t.success() && t.output() != null && agree.test(candidate.output(), t.output())) {
                    group.add(t);
                    members.add(t.replica());
                }
            }
            if (!seen.contains(members)) {
                seen.add(members);
                groups.add(group);
            }
        }
        return groups;
    }

    private static WorkUnit next(WorkUnit unit, UnitState state, List<Task> tasks, int canonical, String failure) {
        return new WorkUnit(unit.jobId(), unit.index(), unit.policy(), state, tasks, canonical, failure, unit.version() + 1);
    }

    /**
     * Whether a replica matches: a loop, not a stream — these run on every transition of every unit (a unit has a
     * handful of replicas), and a stream's pipeline setup cost more than the test (issue 16 profiles, eleventh session).
     */
    private static boolean any(List<Task> tasks, java.util.function.Predicate<Task> test) {
        for (int i = 0; i < tasks.size(); i++) {
            if (test.test(tasks.get(i))) {
                return true;
            }
        }
        return false;
    }

    /** How many replicas match (see {@link #any}). */
    private static long count(List<Task> tasks, java.util.function.Predicate<Task> test) {
        long n = 0;
        for (int i = 0; i < tasks.size(); i++) {
            if (test.test(tasks.get(i))) {
                n++;
            }
        }
        return n;
    }
}
