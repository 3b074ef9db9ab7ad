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
 * state again; at most {@code maxResults} replicas are ever created.
 */
public final class Transitioner {
    private static final Transitioner EXACT = new Transitioner(Arrays::equals);

    private final BiPredicate<byte[], byte[]> agree;

    /** A transitioner comparing outputs with {@code agree} (the app's comparison). */
    public Transitioner(BiPredicate<byte[], byte[]> agree) {
        this.agree = Objects.requireNonNull(agree, "agree");
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
        throw new IllegalArgumentException("unknown event " + event);
    }

    /** Whether {@code worker} may be sent a replica of {@code unit} now. */
    public static boolean canIssue(WorkUnit unit, WorkerRef worker) {
        if (unit.terminal() || unit.count(TaskState.UNSENT) == 0) {
            return false;
        }
        for (Task t : unit.tasks()) {
            if (t.worker() != null && shares(t.worker(), worker)) {
                return false;
            }
        }
        return true;
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
        boolean unsent = tasks.stream().anyMatch(t -> t.state() == TaskState.UNSENT);
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
                    if (t.output() == null || Arrays.equals(t.output(), e.output())) {
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
                    break; // late, but still used, as BOINC does
                default:
                    throw new IllegalStateException("over with outcome " + t.outcome());
            }
        }
        List<Task> tasks = new ArrayList<>(unit.tasks());
        Task reported = t.over(Outcome.SUCCESS, e.now(), e.output(), null);
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
        List<Task> best = largestAgreement(tasks);
        if (best.size() >= p.quorum()) {
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

        long errors = tasks.stream().filter(Task::failed).count();
        if (errors > p.maxErrors()) {
            return fail(unit, tasks, effects, "too many errors: " + errors + " replicas failed (redundancy.maxErrors is "
                    + p.maxErrors() + ")");
        }
        long live = tasks.stream().filter(t -> t.state() != TaskState.OVER).count();
        long successes = tasks.stream().filter(Task::success).count();
        // Without these, a quorum is out of reach even if every live replica agrees with the largest group.
        long forQuorum = p.quorum() - best.size() - live;
        // These keep `replicas` results done or under way; only as many as maxResults still allows.
        long forTarget = p.replicas() - (successes + live);
        if (tasks.size() + forQuorum > p.maxResults()) {
            return fail(unit, tasks, effects, "no " + p.quorum() + " agreeing results within "
                    + p.maxResults() + " replicas (redundancy.maxResults)");
        }
        long needed = Math.min(Math.max(forQuorum, forTarget), p.maxResults() - tasks.size());
        if (needed > 0) {
            for (int i = 0; i < needed; i++) {
                tasks.add(Task.unsent(tasks.size()));
            }
            effects.add(new Effect.ReplicasCreated((int) needed));
        }
        boolean unsent = tasks.stream().anyMatch(t -> t.state() == TaskState.UNSENT);
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
     * The largest group of successes that agree with one of them, that one first (BOINC's validator:
     * each result is a candidate, its group the results agreeing with it). Ties go to the earliest
     * candidate; with an exact comparison the groups are the classes of equal outputs. Empty when
     * there is no success.
     */
    private List<Task> largestAgreement(List<Task> tasks) {
        List<Task> best = List.of();
        for (Task candidate : tasks) {
            if (!candidate.success() || candidate.output() == null) {
                continue;
            }
            List<Task> group = new ArrayList<>();
            group.add(candidate);
            for (Task t : tasks) {
                if (t != candidate && t.success() && t.output() != null && agree.test(candidate.output(), t.output())) {
                    group.add(t);
                }
            }
            if (group.size() > best.size()) {
                best = group;
            }
        }
        return best;
    }

    private static WorkUnit next(WorkUnit unit, UnitState state, List<Task> tasks, int canonical, String failure) {
        return new WorkUnit(unit.jobId(), unit.index(), unit.policy(), state, tasks, canonical, failure, unit.version() + 1);
    }
}
