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
        checks.remember("primes", new SpotChecks.KnownAnswer("j-1/0", input, right, Set.of(sources)));
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
        checks.remember("primes", new SpotChecks.KnownAnswer("j-1/1", wrong, wrong, Set.of("w3", "w4")));
        for (int i = 0; i < 20; i++) {
            assertThat(checks.create(worker("w1"), clock.millis(), clock.millis() + 60_000).orElseThrow().input())
                    .as("w1 computed j-1/0, not j-1/1").isEqualTo(wrong);
        }
        // w1 passing its own answer neither confirms it nor counts against anyone.
        checks.remember("collatz", new SpotChecks.KnownAnswer("j-2/0", input, right, Set.of("w9")));
        SpotChecks only = new SpotChecks(new MemPendingChecks(clock), apps, new SplittableRandom(1), Runnable::run);
        only.remember("primes", new SpotChecks.KnownAnswer("j-1/0", input, right, Set.of("w1", "w2")));
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
}
