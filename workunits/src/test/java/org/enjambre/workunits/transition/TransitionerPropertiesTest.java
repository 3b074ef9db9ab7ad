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
                Arbitraries.integers().between(replicas, replicas + 8),
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
        List<String> trace = new ArrayList<>();
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
            trace.add(describe(event) + " -> " + (d.isAccepted() ? d.effects() : d.rejection()));
            try {
                if (event instanceof Event.Success s && d.isAccepted() && d.unit() != unit) {
                    reported.put(s.replica(), s.output());
                    successes.add(s);
                }
                checkStep(unit, event, d, reported, agree);
                checkUnit(d.unit(), reported, agree);
            } catch (AssertionError e) {
                throw new AssertionError("after " + String.join("\n  ", trace) + "\nunit " + describe(d.unit())
                        + "\n" + e.getMessage(), e);
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
            @ForAll @Size(Redundancy.MAX_RESULTS) List<@IntRange(min = 0, max = 9) Integer> behaviours,
            @ForAll boolean tolerant) {
        Transitioner t = new Transitioner(tolerant ? WITHIN_ONE : EXACT);
        WorkUnit unit = WorkUnit.create("job", 0, policy);
        int fresh = 0;
        int outcomes = 0;
        while (!unit.terminal()) {
            assertThat(outcomes).as("outcomes before the unit ended").isLessThan(policy.maxResults());
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
            assertThat(unit.task(next.replica()).state()).isEqualTo(TaskState.OVER);
        }
        assertThat(unit.tasks().size()).isLessThanOrEqualTo(policy.maxResults());
        if (unit.state() == UnitState.FAILED) {
            assertThat(unit.failure()).isIn(
                    "too many errors: " + (policy.maxErrors() + 1) + " replicas failed (redundancy.maxErrors is " + policy.maxErrors() + ")",
                    "no " + policy.quorum() + " agreeing results within " + policy.maxResults() + " replicas (redundancy.maxResults)");
        }
    }

    // ---- invariants ----

    /** Invariants of one transition, comparing the unit before and after. */
    private static void checkStep(WorkUnit before, Event event, Decision d, Map<Integer, byte[]> reported,
                                  BiPredicate<byte[], byte[]> agree) {
        WorkUnit after = d.unit();
        if (!d.isAccepted()) {
            assertThat(after).as("a refused event leaves the same unit").isSameAs(before);
            assertThat(d.effects()).as("a refused event has no effects").isEmpty();
        }
        if (after == before) {
            assertThat(d.effects()).as("no change, no effects").isEmpty();
        } else {
            assertThat(after.version()).as("version of a changed unit").isEqualTo(before.version() + 1);
            assertThat(sameContent(before, after)).as("a new unit instance differs from the old one").isFalse();
        }
        assertThat(after.jobId()).isEqualTo(before.jobId());
        assertThat(after.index()).isEqualTo(before.index());
        assertThat(after.policy()).isEqualTo(before.policy());

        if (before.terminal()) {
            assertThat(after.state()).as("a terminal unit keeps its state").isEqualTo(before.state());
            assertThat(after.canonical()).as("a terminal unit keeps its canonical replica").isEqualTo(before.canonical());
            assertThat(after.failure()).isEqualTo(before.failure());
            if (before.state() == UnitState.DONE) {
                assertThat(after.canonicalOutput().orElseThrow()).isEqualTo(before.canonicalOutput().orElseThrow());
            }
        }

        assertThat(after.tasks().size()).as("replicas are never removed").isGreaterThanOrEqualTo(before.tasks().size());
        for (Task old : before.tasks()) {
            Task now = after.task(old.replica());
            if (old.worker() != null) {
                assertThat(now.worker()).as("a replica keeps its worker").isEqualTo(old.worker());
            }
            if (old.state() == TaskState.OVER) {
                assertThat(now.state()).as("an ended replica stays over").isEqualTo(TaskState.OVER);
                assertThat(now.outcome() == old.outcome()
                        || (old.outcome() == Outcome.NO_REPLY && now.outcome() == Outcome.SUCCESS))
                        .as("outcome of replica %d went from %s to %s", old.replica(), old.outcome(), now.outcome()).isTrue();
            }
            if (old.validate() != ValidateState.PENDING) {
                assertThat(now.validate()).as("a judgement is final").isEqualTo(old.validate());
            }
        }
        for (int i = before.tasks().size(); i < after.tasks().size(); i++) {
            assertThat(after.task(i).state()).as("a new replica starts unsent").isEqualTo(TaskState.UNSENT);
        }
        if (!before.terminal() && after.state() == UnitState.FAILED && !(event instanceof Event.Cancel)) {
            checkFailureWasDue(after, reported, agree);
        }
        checkEffects(before, event, d, agree);
    }

    /** A unit fails only when it must: too many errors, or a quorum out of reach within maxResults. */
    private static void checkFailureWasDue(WorkUnit failed, Map<Integer, byte[]> reported, BiPredicate<byte[], byte[]> agree) {
        Redundancy p = failed.policy();
        long errors = failed.tasks().stream().filter(Task::failed).count();
        if (failed.failure().startsWith("too many errors")) {
            assertThat(errors).as("errors of a unit failed for errors").isGreaterThan(p.maxErrors());
            return;
        }
        assertThat(errors).as("errors of a unit failed for lack of agreement").isLessThanOrEqualTo(p.maxErrors());
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
        assertThat(largest + live + (p.maxResults() - failed.tasks().size()))
                .as("best case of agreeing results, for a unit failed with: %s", failed.failure())
                .isLessThan(p.quorum());
    }

    /** The effects say exactly what changed. */
    private static void checkEffects(WorkUnit before, Event event, Decision d, BiPredicate<byte[], byte[]> agree) {
        WorkUnit after = d.unit();
        List<Effect> expected = new ArrayList<>();
        int created = after.tasks().size() - before.tasks().size();
        for (Task now : after.tasks()) {
            Task old = now.replica() < before.tasks().size() ? before.task(now.replica()) : Task.unsent(now.replica());
            if (old.state() == TaskState.UNSENT && now.state() == TaskState.IN_PROGRESS) {
                expected.add(new Effect.Issued(now.replica(), now.workerId()));
            }
            if (now.failed() && !old.failed() && old.state() != TaskState.OVER) {
                expected.add(new Effect.Errored(now.replica(), now.workerId(), now.outcome() == Outcome.NO_REPLY));
            }
            if (old.validate() != now.validate() && now.validate() != ValidateState.INCONCLUSIVE) {
                expected.add(new Effect.Judged(now.replica(), now.workerId(), now.validate() == ValidateState.VALID));
            }
        }
        if (created > 0) {
            expected.add(new Effect.ReplicasCreated(created));
        }
        if (before.state() != UnitState.DONE && after.state() == UnitState.DONE) {
            expected.add(new Effect.Done(after.canonical()));
        }
        if (before.state() != UnitState.FAILED && after.state() == UnitState.FAILED) {
            expected.add(new Effect.Failed(after.failure()));
        }
        assertThat(d.effects()).as("effects of %s", describe(event)).containsExactlyInAnyOrderElementsOf(expected);
        if (event instanceof Event.Issue && d.isAccepted()) {
            assertThat(d.effects()).hasSize(1).first().isInstanceOf(Effect.Issued.class);
        }
    }

    /** Invariants of one unit on its own. */
    private static void checkUnit(WorkUnit u, Map<Integer, byte[]> reported, BiPredicate<byte[], byte[]> agree) {
        Redundancy p = u.policy();
        assertThat(u.tasks().size()).as("replicas").isBetween(p.replicas(), p.maxResults());

        List<Task> sent = u.tasks().stream().filter(t -> t.worker() != null).toList();
        for (int i = 0; i < sent.size(); i++) {
            for (int j = i + 1; j < sent.size(); j++) {
                assertThat(shares(sent.get(i).worker(), sent.get(j).worker()))
                        .as("replicas %d and %d share a worker, account or host", sent.get(i).replica(), sent.get(j).replica())
                        .isFalse();
            }
        }
        for (Task t : u.tasks()) {
            assertThat(t.state() == TaskState.OVER).as("replica %d: over exactly when it has an outcome", t.replica())
                    .isEqualTo(t.outcome() != Outcome.NONE);
            if (t.worker() == null) {
                assertThat(t.state() == TaskState.UNSENT || t.outcome() == Outcome.DIDNT_NEED)
                        .as("replica %d without a worker is unsent or was never needed", t.replica()).isTrue();
            } else {
                assertThat(t.state()).as("replica %d has a worker", t.replica()).isNotEqualTo(TaskState.UNSENT);
            }
            if (!t.success()) {
                assertThat(t.validate()).as("replica %d: only successes are judged", t.replica()).isEqualTo(ValidateState.PENDING);
                assertThat(t.output()).isNull();
            }
            if (t.outcome() == Outcome.DIDNT_NEED) {
                assertThat(u.terminal()).as("replicas are not needed only once the unit is over").isTrue();
            }
            if (t.success() && !u.terminal()) {
                assertThat(t.output()).as("a pending result keeps its output").isEqualTo(reported.get(t.replica()));
            }
        }

        assertThat(u.state() == UnitState.NEEDS_REPLICAS)
                .as("NEEDS_REPLICAS exactly when not over and some replica is unsent")
                .isEqualTo(!u.terminal() && u.count(TaskState.UNSENT) > 0);
        assertThat(u.state() == UnitState.FAILED).as("a failure message exactly when failed").isEqualTo(u.failure() != null);
        if (u.terminal()) {
            assertThat(u.count(TaskState.UNSENT)).as("a finished unit has nothing unsent").isZero();
        }

        if (!u.terminal()) {
            long live = u.count(TaskState.UNSENT) + u.count(TaskState.IN_PROGRESS);
            assertThat(live).as("a unit that is not over has a replica unsent or in progress").isPositive();
            int largest = largestAgreeingGroup(u, agree);
            assertThat(largest).as("no quorum yet").isLessThan(p.quorum());
            assertThat(largest + live).as("quorum still reachable").isGreaterThanOrEqualTo(p.quorum());
            assertThat(u.tasks().stream().filter(Task::failed).count()).as("errors").isLessThanOrEqualTo(p.maxErrors());
            assertThat(u.tasks()).extracting(Task::validate).as("nothing judged yet").containsOnly(ValidateState.PENDING);
        }

        if (u.state() == UnitState.DONE) {
            Task canonical = u.task(u.canonical());
            assertThat(canonical.success()).as("the canonical replica succeeded").isTrue();
            assertThat(canonical.validate()).isEqualTo(ValidateState.VALID);
            byte[] accepted = u.canonicalOutput().orElseThrow();
            assertThat(accepted).isEqualTo(reported.get(u.canonical()));
            List<Task> valid = u.tasks().stream().filter(t -> t.validate() == ValidateState.VALID).toList();
            assertThat(valid.size()).as("valid results").isGreaterThanOrEqualTo(p.quorum());
            Set<String> workers = new HashSet<>();
            for (Task t : valid) {
                assertThat(agree.test(accepted, reported.get(t.replica())))
                        .as("valid replica %d agrees with the canonical one", t.replica()).isTrue();
                assertThat(workers.add(t.workerId())).as("valid results come from distinct workers").isTrue();
            }
            for (Task t : u.tasks()) {
                if (t.validate() == ValidateState.INVALID) {
                    assertThat(agree.test(accepted, reported.get(t.replica())))
                            .as("invalid replica %d disagrees with the canonical one", t.replica()).isFalse();
                }
                if (t.replica() != u.canonical() && t.validate() != ValidateState.PENDING) {
                    assertThat(t.output()).as("only the canonical output is kept").isNull();
                }
            }
        } else {
            assertThat(u.canonical()).isEqualTo(-1);
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

    private static boolean sameContent(WorkUnit a, WorkUnit b) {
        if (a.state() != b.state() || a.canonical() != b.canonical() || !Objects.equals(a.failure(), b.failure())
                || a.tasks().size() != b.tasks().size()) {
            return false;
        }
        for (int i = 0; i < a.tasks().size(); i++) {
            Task x = a.task(i);
            Task y = b.task(i);
            if (!Objects.equals(x.worker(), y.worker()) || x.state() != y.state() || x.outcome() != y.outcome()
                    || x.validate() != y.validate() || x.sentAt() != y.sentAt() || x.deadline() != y.deadline()
                    || x.reportedAt() != y.reportedAt() || !Arrays.equals(x.output(), y.output())
                    || !Objects.equals(x.error(), y.error())) {
                return false;
            }
        }
        return true;
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
        assertThat(d.rejection()).as("rejection of %s on %s", describe(e), describe(unit)).isNull();
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
