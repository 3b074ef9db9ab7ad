package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.coordinator.sched.mem.MemPendingChecks;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.app.RunContext;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production spot-check rules on the production class, with pending checks in memory and a seeded random:
 * provisional known answers, confirmation, conviction (at once and after confirmation), being outvoted.
 */
class SpotChecksTest {
    private final ManualClock clock = new ManualClock(1_000_000);
    private final AppRegistry apps = AppRegistry.builtIns();
    private final App primes = apps.get("primes");
    private final SpotChecks checks = new SpotChecks(new MemPendingChecks(clock), apps, new SplittableRandom(7), Runnable::run);
    private final byte[] input = "{\"from\":2,\"to\":3000}".getBytes(StandardCharsets.UTF_8);
    private final byte[] right = run(input);
    private final byte[] wrong = run("{\"from\":2,\"to\":2000}".getBytes(StandardCharsets.UTF_8));

    private byte[] run(byte[] in) {
        try {
            return primes.run(in, RunContext.inMemory());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A known answer computed by {@code sources} (its unit's quorum). */
    private void learned(String... sources) {
        checks.remember("primes", new KnownAnswer("j-1/0", input, right, Set.of(sources)));
    }

    private static WorkerRecord worker(String id) {
        return new WorkerRecord(id, "hash", id, "test", 1, 1024, List.of("primes"), null, null, 0, 0,
                0, 0, 0, 0, 0, 0, false, 0, 0, 1);
    }

    /** Sends {@code worker} a check and judges its answer. */
    private SpotChecks.Verdict answer(String worker, byte[] output) {
        Optional<Scheduler.Assignment> check = checks.create(worker(worker), clock.millis(), clock.millis() + 60_000);
        assertThat(check).as("a check for %s", worker).isPresent();
        assertThat(check.get().input()).isEqualTo(input);
        return checks.judge(check.get().id(), worker, output);
    }

    @Test
    void aWorker_isCheckedWithAnAnswerItHelpedCompute_onlyWhenThereIsNoOther() {
        learned("w1", "w2");
        checks.remember("primes", new KnownAnswer("j-1/1", wrong, wrong, Set.of("w3", "w4")));
        for (int i = 0; i < 20; i++) {
            assertThat(checks.create(worker("w1"), clock.millis(), clock.millis() + 60_000).orElseThrow().input())
                    .as("w1 computed j-1/0, not j-1/1").isEqualTo(wrong);
        }
        // w1 passing its own answer neither confirms it nor counts against anyone.
        checks.remember("collatz", new KnownAnswer("j-2/0", input, right, Set.of("w9")));
        SpotChecks only = new SpotChecks(new MemPendingChecks(clock), apps, new SplittableRandom(1), Runnable::run);
        only.remember("primes", new KnownAnswer("j-1/0", input, right, Set.of("w1", "w2")));
        Scheduler.Assignment own = only.create(worker("w1"), clock.millis(), clock.millis() + 60_000).orElseThrow();
        assertThat(only.judge(own.id(), "w1", right)).isEqualTo(SpotChecks.Verdict.PASSED);
        Scheduler.Assignment other = only.create(worker("s1"), clock.millis(), clock.millis() + 60_000).orElseThrow();
        assertThat(only.judge(other.id(), "s1", wrong)).as("still provisional").isEqualTo(SpotChecks.Verdict.UNKNOWN);
    }

    @Test
    void aWrongAnswerToAProvisionalAnswer_convictsOnlyOnceAnotherWorkerConfirmsIt() {
        learned("w1", "w2");
        assertThat(answer("s1", wrong)).isEqualTo(SpotChecks.Verdict.UNKNOWN); // provisional: it may be the lie
        assertThat(checks.takeConvicted()).isEmpty();
        assertThat(answer("w3", right)).isEqualTo(SpotChecks.Verdict.PASSED); // confirmed now
        assertThat(checks.takeConvicted()).containsExactly("s1");
        assertThat(checks.takeConvicted()).as("taken once").isEmpty();
        assertThat(answer("s2", wrong)).isEqualTo(SpotChecks.Verdict.FAILED); // confirmed: convicts at once
    }

    @Test
    void twoColluders_cannotDropARightAnswerThatTwoWorkersComputed() {
        learned("w1", "w2");
        assertThat(answer("s1", wrong)).isEqualTo(SpotChecks.Verdict.UNKNOWN);
        assertThat(answer("s2", wrong)).isEqualTo(SpotChecks.Verdict.UNKNOWN);
        assertThat(answer("w3", right)).isEqualTo(SpotChecks.Verdict.PASSED);
        assertThat(checks.takeConvicted()).containsExactly("s1", "s2");
    }

    @Test
    void aProvisionalAnswer_moreWorkersContradictThanComputed_isDropped() {
        learned("c1", "c2"); // colluders formed its quorum; here "right" plays their lie
        assertThat(answer("h1", wrong)).isEqualTo(SpotChecks.Verdict.UNKNOWN);
        assertThat(answer("h2", wrong)).isEqualTo(SpotChecks.Verdict.UNKNOWN);
        assertThat(answer("h3", wrong)).isEqualTo(SpotChecks.Verdict.UNKNOWN);
        assertThat(checks.create(worker("h4"), clock.millis(), clock.millis() + 60_000)).as("dropped").isEmpty();
        assertThat(checks.canCheck("primes")).isFalse();
        assertThat(checks.takeConvicted()).isEmpty();
    }

    @Test
    void aUnitAcceptedAgainAfterReopening_replacesItsAnswer_andACheckOfTheOldOneConvictsNobody() {
        // The colluders' answer to unit j-1/0 (here "wrong"), sent to an honest worker as a check...
        checks.remember("primes", new KnownAnswer("j-1/0", input, wrong, Set.of("c1", "c2")));
        Scheduler.Assignment old = checks.create(worker("h1"), clock.millis(), clock.millis() + 60_000).orElseThrow();
        // ...then the unit is reopened, accepted again with the right answer, and that answer confirmed.
        checks.remember("primes", new KnownAnswer("j-1/0", input, right, Set.of("c1", "c2", "h2", "h3")));
        assertThat(answer("h4", right)).isEqualTo(SpotChecks.Verdict.PASSED);
        assertThat(checks.judge(old.id(), "h1", right)).isEqualTo(SpotChecks.Verdict.UNKNOWN);
        assertThat(checks.takeConvicted()).isEmpty();
        assertThat(answer("c1", wrong)).isEqualTo(SpotChecks.Verdict.FAILED);
    }

    /** A check for {@code worker} made from the answer whose input is {@code in} (other draws are left unanswered). */
    private Scheduler.Assignment checkOf(String worker, byte[] in) {
        for (int i = 0; i < 1000; i++) {
            Scheduler.Assignment c = checks.create(worker(worker), clock.millis(), clock.millis() + 60_000).orElseThrow();
            if (java.util.Arrays.equals(c.input(), in)) {
                return c;
            }
        }
        throw new AssertionError("no check of that answer in 1000 draws");
    }

    @Test
    void aWorkerCaughtLying_takesTheProvisionalAnswersItHelpedMakeWithIt() {
        learned("w1", "w2");
        byte[] other = "{\"from\":2,\"to\":2000}".getBytes(StandardCharsets.UTF_8);
        checks.remember("primes", new KnownAnswer("j-1/1", other, right, Set.of("s1", "s9"))); // a lie
        assertThat(checks.judge(checkOf("w3", input).id(), "w3", right)).isEqualTo(SpotChecks.Verdict.PASSED); // confirms j-1/0
        assertThat(checks.judge(checkOf("s1", input).id(), "s1", wrong)).isEqualTo(SpotChecks.Verdict.FAILED);
        for (int i = 0; i < 20; i++) {
            assertThat(checks.create(worker("w5"), clock.millis(), clock.millis() + 60_000).orElseThrow().input())
                    .as("j-1/1, made by the convicted s1, is gone").isEqualTo(input);
        }
    }

    @Test
    void aFreshPeer_computesTrustedAnswersForABuiltInApp_thatConvictAtOnce_butNeverForWasm() {
        assertThat(checks.canCheck("primes")).isFalse();
        checks.seed(job("primes", "{\"from\":2,\"to\":1000000}", 100));
        assertThat(checks.canCheck("primes")).isTrue();
        Scheduler.Assignment c = checks.create(worker("s1"), clock.millis(), clock.millis() + 60_000).orElseThrow();
        byte[] truth = run(c.input());
        assertThat(checks.judge(c.id(), "s1", TestOutputs.bumped(truth))).as("trusted: no confirmation needed")
                .isEqualTo(SpotChecks.Verdict.FAILED);
        Scheduler.Assignment d = checks.create(worker("h1"), clock.millis(), clock.millis() + 60_000).orElseThrow();
        assertThat(checks.judge(d.id(), "h1", run(d.input()))).isEqualTo(SpotChecks.Verdict.PASSED);
        checks.seed(job("wasm", "{\"module\":\"00\"}", 10));
        assertThat(checks.canCheck("wasm")).isFalse();
    }

    private org.enjambre.coordinator.model.JobRecord job(String app, String input, int units) {
        String raw = "{\"app\":\"" + app + "\",\"input\":" + input + ",\"workUnits\":" + units
                + ",\"redundancy\":{\"replicas\":2,\"quorum\":2,\"spotCheckRate\":0.1}}";
        String spec;
        try {
            spec = org.enjambre.workunits.spec.JobSpecParser.toJson(new org.enjambre.workunits.spec.JobSpecParser(apps).parse(raw)).toString();
        } catch (org.enjambre.workunits.spec.SpecException e) {
            spec = raw; // wasm without a stored module: the seed must refuse it before reading the spec
        }
        return new org.enjambre.coordinator.model.JobRecord("j-seed-" + app, "test", app, spec, units, 0,
                org.enjambre.workunits.model.JobState.RUNNING, 0, 0, 0, null, null, 0);
    }

    /** Outputs changed the way a saboteur would (a number off by one). */
    private static final class TestOutputs {
        static byte[] bumped(byte[] out) {
            String s = new String(out, StandardCharsets.UTF_8);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\d+").matcher(s);
            assertThat(m.find()).isTrue();
            return (s.substring(0, m.start()) + (Long.parseLong(m.group()) + 1) + s.substring(m.end())).getBytes(StandardCharsets.UTF_8);
        }
    }

    @Test
    void anAnswerAfterTheCheckExpired_isUnknown_andAnErrorIsNeitherPassNorFail() {
        learned("w1", "w2");
        Scheduler.Assignment late = checks.create(worker("w3"), clock.millis(), clock.millis() + 5_000).orElseThrow();
        clock.advance(Duration.ofSeconds(6));
        assertThat(checks.judge(late.id(), "w3", right)).isEqualTo(SpotChecks.Verdict.UNKNOWN);
        Scheduler.Assignment errored = checks.create(worker("w3"), clock.millis(), clock.millis() + 5_000).orElseThrow();
        assertThat(checks.judge(errored.id(), "w4", right)).isEqualTo(SpotChecks.Verdict.NOT_YOURS);
        assertThat(checks.judge(errored.id(), "w3", null)).isEqualTo(SpotChecks.Verdict.ERRORED);
        assertThat(checks.judge(errored.id(), "w3", right)).as("answered already").isEqualTo(SpotChecks.Verdict.UNKNOWN);
    }

    /** Input of unit {@code i} of a learned job: distinct per unit so that a check says which answer it used. */
    private static byte[] unitInput(int i) {
        return ("{\"from\":2,\"to\":" + (100 + i) + "}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aFullPool_keepsComputedConfirmedAndContradictedAnswers_andReplacesUnjudgedOnes() {
        byte[] trustedInput = unitInput(-50);
        checks.remember("primes", KnownAnswer.computedHere("computed:j-0/0", trustedInput, run(trustedInput)));
        // One learned answer confirmed by a check, one contradicted while provisional.
        checks.remember("primes", new KnownAnswer("j-1/0", input, right, Set.of("w1", "w2")));
        assertThat(answer("h1", right)).isEqualTo(SpotChecks.Verdict.PASSED); // confirms j-1/0 (the only one not from h1)
        byte[] contested = unitInput(-49);
        checks.remember("primes", new KnownAnswer("j-1/1", contested, run(contested), Set.of("w3", "w4")));
        Scheduler.Assignment c;
        do { // a check of j-1/1, contradicted by s1
            c = checks.create(worker("s1"), clock.millis(), clock.millis() + 60_000).orElseThrow();
            if (!java.util.Arrays.equals(c.input(), contested)) {
                checks.judge(c.id(), "s1", run(c.input()));
            }
        } while (!java.util.Arrays.equals(c.input(), contested));
        assertThat(checks.judge(c.id(), "s1", wrong)).isEqualTo(SpotChecks.Verdict.UNKNOWN);
        // The pool fills up with answers of a later job, many times over.
        for (int i = 0; i < KnownAnswers.PER_APP * 5; i++) {
            checks.remember("primes", new KnownAnswer("j-2/" + i, unitInput(i), run(unitInput(i)), Set.of("w5", "w6")));
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            Scheduler.Assignment a = checks.create(worker("h9"), clock.millis(), clock.millis() + 60_000).orElseThrow();
            seen.add(new String(a.input(), StandardCharsets.UTF_8));
            checks.judge(a.id(), "h9", run(a.input()));
        }
        assertThat(seen).as("the computed, the confirmed and the contradicted answer are still used")
                .contains(new String(trustedInput, StandardCharsets.UTF_8), new String(input, StandardCharsets.UTF_8),
                        new String(contested, StandardCharsets.UTF_8));
        assertThat(checks.takeConvicted()).as("h9 confirmed j-1/1, which s1 had contradicted").containsExactly("s1");
    }

    @Test
    void checks_useAConfirmedAnswerAboutHalfTheTime_evenInAPoolOfProvisionalOnes() {
        checks.remember("primes", new KnownAnswer("j-1/0", input, right, Set.of("w1", "w2")));
        assertThat(answer("h1", right)).isEqualTo(SpotChecks.Verdict.PASSED); // j-1/0 confirmed
        for (int i = 0; i < KnownAnswers.PER_APP - 1; i++) {
            checks.remember("primes", new KnownAnswer("j-2/" + i, unitInput(i), run(unitInput(i)), Set.of("w5", "w6")));
        }
        int confirmedUsed = 0;
        int n = 1_000;
        for (int i = 0; i < n; i++) {
            // Answered with an error: neither confirms nor contradicts anything, so the pool stays as it is.
            Scheduler.Assignment a = checks.create(worker("s" + i), clock.millis(), clock.millis() + 60_000).orElseThrow();
            if (java.util.Arrays.equals(a.input(), input)) {
                confirmedUsed++;
            }
            assertThat(checks.judge(a.id(), "s" + i, null)).isEqualTo(SpotChecks.Verdict.ERRORED);
        }
        // 1 confirmed answer of 64: drawn uniformly it would be used ~16 times in 1,000 checks; half of them use it.
        assertThat(confirmedUsed).isBetween(420, 580);
    }
}
