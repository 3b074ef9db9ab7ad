package org.enjambre.workunits.transition;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.enjambre.workunits.model.Outcome;
import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.TaskState;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.ValidateState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.spec.Redundancy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiPredicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random policies and random event sequences against the invariants of {@link Transitioner}, checked
 * after every step; plus liveness (honest workers finish a unit) and termination (any workers end it).
 */
class TransitionerPropertiesTest {

    /** What a random step does; the two numbers pick a worker, replica, output or time step. */
    enum Kind { ISSUE, SUCCESS, ERROR, TICK, CANCEL, STRANGER, REPEAT }

    record Step(Kind kind, int a, int b) {
    }

    /** A pool where some workers share an account or a host, and some give neither. */
    private static final List<WorkerRef> POOL = List.of(
            new WorkerRef("w0", null, null),
            new WorkerRef("w1", "alice", null),
            new WorkerRef("w2", "bob", "box1"),
            new WorkerRef("w3", null, "box2"),
            new WorkerRef("w4", "alice", "box3"),
            new WorkerRef("w5", "carol", "box1"),
            new WorkerRef("w6", null, null),
            new WorkerRef("w7", "dave", null),
            new WorkerRef("w8", null, "box4"),
            new WorkerRef("w9", "erin", "box5"));

    /** The largest maxResults of a generated policy; small policies reach their limits often. */
    private static final int MOST_RESULTS = 12;

    /** Outputs: mostly "0" so that quorums happen; "0", "1", "2" are a non-transitive chain when tolerant. */
    private static final String[] ALPHABET = {"0", "0", "0", "0", "1", "2", "5"};

    private static final BiPredicate<byte[], byte[]> EXACT = Arrays::equals;
    /** Decimal integers that differ by at most one agree: not transitive, which apps may legally do. */
    private static final BiPredicate<byte[], byte[]> WITHIN_ONE = (a, b) -> Math.abs(number(a) - number(b)) <= 1;

    private static int number(byte[] b) {
        return Integer.parseInt(new String(b, StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<Redundancy> policies() {
        return Arbitraries.integers().between(1, 5).flatMap(replicas -> Combinators.combine(
                Arbitraries.integers().between(1, replicas),
                Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(replicas, MOST_RESULTS),
                Arbitraries.of(false, true)
        ).as((quorum, maxErrors, maxResults, adaptive) -> new Redundancy(replicas, quorum, maxErrors, maxResults, adaptive)));
    }

    @Provide
    Arbitrary<List<Step>> scripts() {
        Arbitrary<Kind> kinds = Arbitraries.frequency(
                Tuple.of(30, Kind.ISSUE), Tuple.of(30, Kind.SUCCESS), Tuple.of(8, Kind.ERROR), Tuple.of(10, Kind.TICK),
                Tuple.of(1, Kind.CANCEL), Tuple.of(5, Kind.STRANGER), Tuple.of(6, Kind.REPEAT));
        return Combinators.combine(kinds, Arbitraries.integers().between(0, 99), Arbitraries.integers().between(0, 99))
                .as(Step::new).list().ofMaxSize(80);
    }

    @Property
    void invariants_holdAfterEveryStep(@ForAll("policies") Redundancy policy, @ForAll("scripts") List<Step> script,
                                       @ForAll boolean tolerant) {
        BiPredicate<byte[], byte[]> agree = tolerant ? WITHIN_ONE : EXACT;
        Transitioner transitioner = new Transitioner(agree);
        WorkUnit unit = WorkUnit.create("job", 3, policy);
        Map<Integer, byte[]> reported = new HashMap<>(); // every output a replica was accepted with
        List<Event> successes = new ArrayList<>();
        List<Object> trace = new ArrayList<>(); // events and their decisions, described only on failure
        long now = 0;
        checkUnit(unit, reported, agree);

        for (Step step : script) {
            int size = unit.tasks().size();
            Event event = switch (step.kind()) {
                case ISSUE -> new Event.Issue(POOL.get(step.a() % POOL.size()), now, now + 20 + step.b());
                case SUCCESS -> new Event.Success(step.a() % size, ownerOr(unit, step.a() % size, step.b()),
                        output(step.b()), now);
                case ERROR -> new Event.ClientError(step.a() % size, ownerOr(unit, step.a() % size, step.b()), "crash", now);
                case TICK -> new Event.DeadlinePassed(now += step.a());
                case CANCEL -> new Event.Cancel("cancelled by the test", now);
                case STRANGER -> new Event.Success(step.a() % (size + 2) - 1, POOL.get(step.b() % POOL.size()).workerId(),
                        output(step.a()), now);
                case REPEAT -> successes.isEmpty() ? new Event.DeadlinePassed(now) : successes.get(step.a() % successes.size());
            };
            Decision d = transitioner.apply(unit, event);
            trace.add(event);
            trace.add(d);
            try {
                if (event instanceof Event.Success s && d.isAccepted() && d.unit() != unit) {
                    reported.put(s.replica(), s.output());
                    successes.add(s);
                }
                checkStep(unit, event, d, reported, agree);
                checkUnit(d.unit(), reported, agree);
            } catch (AssertionError e) {
                StringBuilder steps = new StringBuilder();
                for (int i = 0; i < trace.size(); i += 2) {
                    Decision di = (Decision) trace.get(i + 1);
                    steps.append("\n  ").append(describe((Event) trace.get(i))).append(" -> ")
                            .append(di.isAccepted() ? di.effects() : di.rejection());
                }
                throw new AssertionError(e.getMessage() + "\nafter" + steps + "\nunit " + describe(d.unit()), e);
            }
            unit = d.unit();
        }
    }

    @Property
    void liveness_honestWorkersFinishAUnitWithQuorumReports(@ForAll("policies") Redundancy policy) {
        Transitioner t = Transitioner.exact();
        WorkUnit unit = WorkUnit.create("job", 0, policy);
        int fresh = 0;
        int reports = 0;
        while (!unit.terminal() && reports <= policy.replicas()) {
            while (Transitioner.canIssue(unit, WorkerRef.of("h" + fresh))) {
                unit = accept(t, unit, new Event.Issue(WorkerRef.of("h" + fresh++), 0, 1_000));
            }
            Task next = unit.tasks().stream().filter(x -> x.state() == TaskState.IN_PROGRESS).findFirst().orElseThrow();
            unit = accept(t, unit, new Event.Success(next.replica(), next.workerId(), output(0), 10));
            reports++;
        }
        assertThat(unit.state()).isEqualTo(UnitState.DONE);
        assertThat(reports).isEqualTo(policy.quorum()).isLessThanOrEqualTo(policy.replicas());
        assertThat(unit.tasks()).as("no replica beyond the first ones").hasSize(policy.replicas());
    }

    /**
     * Whatever fresh workers do (agree, disagree, fail, time out), a unit ends within {@code maxResults}
     * outcomes: each outcome ends a distinct replica and a unit that is not over always has one live.
     */
    @Property
    void termination_anyWorkersEndAUnitWithinMaxResultsOutcomes(
            @ForAll("policies") Redundancy policy,
            @ForAll @Size(MOST_RESULTS) List<@IntRange(min = 0, max = 9) Integer> behaviours,
            @ForAll boolean tolerant) {
        Transitioner t = new Transitioner(tolerant ? WITHIN_ONE : EXACT);
        WorkUnit unit = WorkUnit.create("job", 0, policy);
        int fresh = 0;
        int outcomes = 0;
        while (!unit.terminal()) {
            check(outcomes < policy.maxResults(), "%d outcomes and the unit is not over", outcomes);
            while (Transitioner.canIssue(unit, WorkerRef.of("h" + fresh))) {
                // deadlines grow with the issue order, which is the replica order
                unit = accept(t, unit, new Event.Issue(WorkerRef.of("h" + fresh), 0, 1_000L * (1 + fresh++)));
            }
            Task next = unit.tasks().stream().filter(x -> x.state() == TaskState.IN_PROGRESS).findFirst()
                    .orElseThrow(() -> new AssertionError("a unit that is not over has nothing in progress"));
            int behaviour = behaviours.get(outcomes++);
            Event e = behaviour < 6 ? new Event.Success(next.replica(), next.workerId(), output(behaviour), next.deadline() - 1)
                    : behaviour < 8 ? new Event.ClientError(next.replica(), next.workerId(), "crash", next.deadline() - 1)
                    : new Event.DeadlinePassed(next.deadline());
            unit = accept(t, unit, e);
            check(unit.task(next.replica()).state() == TaskState.OVER, "replica %d ended", next.replica());
        }
        assertThat(unit.tasks().size()).isLessThanOrEqualTo(policy.maxResults());
        if (unit.state() == UnitState.FAILED) {
            assertThat(unit.failure().replaceFirst(": (\"(crash|no reply by the deadline)\"(, )?)+$", "")).isIn(
                    "too many errors: " + (policy.maxErrors() + 1) + " replicas failed (redundancy.maxErrors is " + policy.maxErrors() + ")",
                    "no " + policy.quorum() + " agreeing results within " + policy.maxResults() + " replicas (redundancy.maxResults)");
        }
    }

    // ---- invariants (plain checks: they run some fifty thousand times per property) ----

    /** Fails with {@code what}, formatted with {@code args}, unless {@code ok}. */
    private static void check(boolean ok, String what, Object... args) {
        if (!ok) {
            throw new AssertionError(String.format(what, args));
        }
    }

    /** Invariants of one transition, comparing the unit before and after. */
    private static void checkStep(WorkUnit before, Event event, Decision d, Map<Integer, byte[]> reported,
                                  BiPredicate<byte[], byte[]> agree) {
        WorkUnit after = d.unit();
        if (!d.isAccepted()) {
            check(after == before, "a refused event leaves the same unit");
            check(d.effects().isEmpty(), "a refused event has no effects");
        }
        if (after == before) {
            check(d.effects().isEmpty(), "no change, no effects");
        } else {
            check(after.version() == before.version() + 1, "version %d of a changed unit after %d", after.version(), before.version());
            check(!sameContent(before, after), "a new unit instance differs from the old one");
        }
        check(after.jobId().equals(before.jobId()) && after.index() == before.index() && after.policy().equals(before.policy()),
                "a unit keeps its identity and policy");

        if (before.terminal()) {
            check(after.state() == before.state(), "a terminal unit keeps its state");
            check(after.canonical() == before.canonical(), "a terminal unit keeps its canonical replica");
            check(Objects.equals(after.failure(), before.failure()), "a failed unit keeps its failure");
            if (before.state() == UnitState.DONE) {
                check(Arrays.equals(after.canonicalOutput().orElseThrow(), before.canonicalOutput().orElseThrow()),
                        "a done unit keeps its canonical output");
            }
        }

        check(after.tasks().size() >= before.tasks().size(), "replicas are never removed");
        for (Task old : before.tasks()) {
            Task now = after.task(old.replica());
            if (old.worker() != null) {
                check(old.worker().equals(now.worker()), "replica %d keeps its worker", old.replica());
            }
            if (old.state() == TaskState.OVER) {
                check(now.state() == TaskState.OVER, "ended replica %d stays over", old.replica());
                check(now.outcome() == old.outcome() || (old.outcome() == Outcome.NO_REPLY && now.outcome() == Outcome.SUCCESS),
                        "outcome of replica %d went from %s to %s", old.replica(), old.outcome(), now.outcome());
            }
            if (old.validate() != ValidateState.PENDING) {
                check(now.validate() == old.validate(), "the judgement of replica %d is final", old.replica());
            }
        }
        for (int i = before.tasks().size(); i < after.tasks().size(); i++) {
            check(after.task(i).state() == TaskState.UNSENT, "new replica %d starts unsent", i);
        }
        if (!before.terminal() && after.state() == UnitState.FAILED && !(event instanceof Event.Cancel)) {
            checkFailureWasDue(after, reported, agree);
        }
        checkEffects(before, event, d);
    }

    /** A unit fails only when it must: too many errors, or a quorum out of reach within maxResults. */
    private static void checkFailureWasDue(WorkUnit failed, Map<Integer, byte[]> reported, BiPredicate<byte[], byte[]> agree) {
        Redundancy p = failed.policy();
        long errors = failed.tasks().stream().filter(Task::failed).count();
        if (failed.failure().startsWith("too many errors")) {
            check(errors > p.maxErrors(), "%d errors fail a unit allowing %d", errors, p.maxErrors());
            return;
        }
        check(errors <= p.maxErrors(), "%d errors, yet the unit failed with: %s", errors, failed.failure());
        // just before failing, the replicas now not needed were unsent, and those in progress stay so
        long live = failed.tasks().stream().filter(t -> t.state() == TaskState.IN_PROGRESS
                || (t.outcome() == Outcome.DIDNT_NEED && t.worker() == null)).count();
        int largest = 0;
        for (Task a : failed.tasks()) {
            if (a.success()) {
                largest = Math.max(largest, (int) failed.tasks().stream()
                        .filter(b -> b.success() && agree.test(reported.get(a.replica()), reported.get(b.replica()))).count());
            }
        }
        long bestCase = largest + live + (p.maxResults() - failed.tasks().size());
        check(bestCase < p.quorum(), "%d agreeing results were still possible, yet the unit failed with: %s",
                bestCase, failed.failure());
    }

    /** The effects say exactly what changed. */
    private static void checkEffects(WorkUnit before, Event event, Decision d) {
        WorkUnit after = d.unit();
        List<Effect> expected = new ArrayList<>();
        for (Task now : after.tasks()) {
            Task old = now.replica() < before.tasks().size() ? before.task(now.replica()) : Task.unsent(now.replica());
            if (old.state() == TaskState.UNSENT && now.state() == TaskState.IN_PROGRESS) {
                expected.add(new Effect.Issued(now.replica(), now.workerId()));
            }
            if (now.failed() && old.state() != TaskState.OVER) {
                expected.add(new Effect.Errored(now.replica(), now.workerId(), now.outcome() == Outcome.NO_REPLY));
            }
            if (old.validate() != now.validate() && now.validate() != ValidateState.INCONCLUSIVE) {
                expected.add(new Effect.Judged(now.replica(), now.workerId(), now.validate() == ValidateState.VALID));
            }
        }
        int created = after.tasks().size() - before.tasks().size();
        if (created > 0) {
            expected.add(new Effect.ReplicasCreated(created));
        }
        if (before.state() != UnitState.DONE && after.state() == UnitState.DONE) {
            expected.add(new Effect.Done(after.canonical()));
        }
        if (before.state() != UnitState.FAILED && after.state() == UnitState.FAILED) {
            expected.add(new Effect.Failed(after.failure()));
        }
        check(d.effects().size() == expected.size() && d.effects().containsAll(expected),
                "effects of %s: expected %s", describe(event), expected);
    }

    /** Invariants of one unit on its own. */
    private static void checkUnit(WorkUnit u, Map<Integer, byte[]> reported, BiPredicate<byte[], byte[]> agree) {
        Redundancy p = u.policy();
        check(u.tasks().size() >= p.replicas() && u.tasks().size() <= p.maxResults(), "%d replicas", u.tasks().size());

        // A replica that ended without a result (released, no reply) no longer binds its worker: it may take the
        // unit again, and then its late report on the old replica is refused. Binding replicas never share.
        List<Task> sent = u.tasks().stream().filter(Task::bindsPlacement).toList();
        for (int i = 0; i < sent.size(); i++) {
            for (int j = i + 1; j < sent.size(); j++) {
                check(!shares(sent.get(i).worker(), sent.get(j).worker()), "replicas %d and %d share a worker, account or host",
                        sent.get(i).replica(), sent.get(j).replica());
            }
        }
        for (Task t : u.tasks()) {
            check((t.state() == TaskState.OVER) == (t.outcome() != Outcome.NONE),
                    "replica %d: over exactly when it has an outcome", t.replica());
            if (t.worker() == null) {
                check(t.state() == TaskState.UNSENT || t.outcome() == Outcome.DIDNT_NEED,
                        "replica %d without a worker is unsent or was never needed", t.replica());
            } else {
                check(t.state() != TaskState.UNSENT, "replica %d with a worker is not unsent", t.replica());
            }
            if (!t.success()) {
                check(t.validate() == ValidateState.PENDING && t.output() == null,
                        "replica %d is not a success: not judged, no output", t.replica());
            }
            if (t.outcome() == Outcome.DIDNT_NEED) {
                check(u.terminal(), "replica %d is not needed, yet the unit is not over", t.replica());
            }
            if (t.success() && !u.terminal()) {
                check(Arrays.equals(t.output(), reported.get(t.replica())), "pending result %d keeps its output", t.replica());
            }
        }

        check((u.state() == UnitState.NEEDS_REPLICAS) == (!u.terminal() && u.count(TaskState.UNSENT) > 0),
                "NEEDS_REPLICAS exactly when not over and some replica is unsent");
        check((u.state() == UnitState.FAILED) == (u.failure() != null), "a failure message exactly when failed");
        if (u.terminal()) {
            check(u.count(TaskState.UNSENT) == 0, "a finished unit has nothing unsent");
        } else {
            long live = u.count(TaskState.UNSENT) + u.count(TaskState.IN_PROGRESS);
            check(live > 0, "a unit that is not over has a replica unsent or in progress");
            int largest = largestAgreeingGroup(u, agree);
            check(largest < p.quorum(), "%d agreeing results, quorum %d, yet not done", largest, p.quorum());
            check(largest + live >= p.quorum(), "quorum out of reach: %d agreeing, %d live", largest, live);
            long errors = u.tasks().stream().filter(Task::failed).count();
            check(errors <= p.maxErrors(), "%d errors, yet not failed", errors);
            check(u.tasks().stream().allMatch(t -> t.validate() == ValidateState.PENDING), "nothing judged before the end");
        }

        if (u.state() == UnitState.DONE) {
            Task canonical = u.task(u.canonical());
            check(canonical.success() && canonical.validate() == ValidateState.VALID, "the canonical replica is a valid success");
            byte[] accepted = u.canonicalOutput().orElseThrow();
            check(Arrays.equals(accepted, reported.get(u.canonical())), "the canonical output is what its worker reported");
            Set<String> workers = new HashSet<>();
            for (Task t : u.tasks()) {
                if (t.validate() == ValidateState.VALID) {
                    check(agree.test(accepted, reported.get(t.replica())), "valid replica %d agrees with the canonical one",
                            t.replica());
                    check(workers.add(t.workerId()), "valid results come from distinct workers");
                }
                if (t.validate() == ValidateState.INVALID) {
                    check(!agree.test(accepted, reported.get(t.replica())), "invalid replica %d disagrees with the canonical one",
                            t.replica());
                }
                if (t.replica() != u.canonical() && t.validate() != ValidateState.PENDING) {
                    check(t.output() == null, "only the canonical output is kept, not %d's", t.replica());
                }
            }
            check(workers.size() >= p.quorum(), "%d valid results, quorum %d", workers.size(), p.quorum());
        } else {
            check(u.canonical() == -1, "no canonical replica before done");
        }
    }

    // ---- helpers ----

    private static int largestAgreeingGroup(WorkUnit u, BiPredicate<byte[], byte[]> agree) {
        int largest = 0;
        for (Task a : u.tasks()) {
            if (a.success()) {
                int n = 0;
                for (Task b : u.tasks()) {
                    if (b.success() && agree.test(a.output(), b.output())) {
                        n++;
                    }
                }
                largest = Math.max(largest, n);
            }
        }
        return largest;
    }

    private static boolean shares(WorkerRef a, WorkerRef b) {
        return a.workerId().equals(b.workerId())
                || (a.accountId() != null && a.accountId().equals(b.accountId()))
                || (a.hostId() != null && a.hostId().equals(b.hostId()));
    }

    /** Equal but for the version (tasks compare their outputs by content). */
    private static boolean sameContent(WorkUnit a, WorkUnit b) {
        return a.state() == b.state() && a.canonical() == b.canonical() && Objects.equals(a.failure(), b.failure())
                && a.tasks().equals(b.tasks());
    }

    /** The worker replica {@code replica} was sent to, or else a worker of the pool. */
    private static String ownerOr(WorkUnit u, int replica, int pick) {
        String owner = u.task(replica).workerId();
        return owner != null && pick % 10 != 0 ? owner : POOL.get(pick % POOL.size()).workerId();
    }

    private static byte[] output(int pick) {
        return ALPHABET[pick % ALPHABET.length].getBytes(StandardCharsets.UTF_8);
    }

    private static WorkUnit accept(Transitioner t, WorkUnit unit, Event e) {
        Decision d = t.apply(unit, e);
        if (d.rejection() != null) {
            throw new AssertionError("refused " + describe(e) + ": " + d.rejection() + "\nunit " + describe(unit));
        }
        return d.unit();
    }

    private static String describe(Event e) {
        if (e instanceof Event.Success s) {
            return "Success[" + s.replica() + ", " + s.workerId() + ", " + new String(s.output(), StandardCharsets.UTF_8)
                    + ", t=" + s.now() + "]";
        }
        return e.toString();
    }

    private static String describe(WorkUnit u) {
        StringBuilder b = new StringBuilder(u.state() + " v" + u.version() + " canonical=" + u.canonical()
                + " policy=" + u.policy() + " failure=" + u.failure());
        for (Task t : u.tasks()) {
            b.append("\n    ").append(t.replica()).append(' ').append(t.workerId()).append(' ').append(t.state())
                    .append(' ').append(t.outcome()).append(' ').append(t.validate()).append(" deadline=").append(t.deadline())
                    .append(" out=").append(t.output() == null ? null : new String(t.output(), StandardCharsets.UTF_8));
        }
        return b.toString();
    }
}
