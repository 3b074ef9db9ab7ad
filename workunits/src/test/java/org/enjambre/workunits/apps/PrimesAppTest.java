package org.enjambre.workunits.apps;

import com.fasterxml.jackson.databind.JsonNode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.spec.SpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.enjambre.workunits.apps.AppHarness.json;
import static org.enjambre.workunits.apps.AppHarness.runJob;
import static org.enjambre.workunits.apps.AppHarness.runUnit;
import static org.enjambre.workunits.apps.AppHarness.text;

class PrimesAppTest {
    private final PrimesApp app = new PrimesApp();

    @Test
    void run_primesBelowOneMillion() throws Exception {
        assertThat(text(runUnit(app, "{\"from\":0,\"to\":1000000}"))).isEqualTo("{\"count\":78498}");
    }

    @Test
    void run_primesBelowTenMillion_asOneUnit() throws Exception {
        long start = System.nanoTime();
        assertThat(text(runUnit(app, "{\"from\":2,\"to\":10000000}"))).isEqualTo("{\"count\":664579}");
        assertThat(System.nanoTime() - start).as("nanoseconds for pi(10^7)").isLessThan(1_000_000_000L);
    }

    @Test
    void job_primesBelowTenMillion_inOneHundredUnits() throws Exception {
        MergedResult result = runJob(app, "{\"from\":2,\"to\":10000000}", 100);
        assertThat(result.contentType()).isEqualTo("application/json");
        assertThat(text(result.body())).isEqualTo("{\"count\":664579}");
    }

    @ParameterizedTest(name = "[{0}, {1}) holds {2} primes")
    @CsvSource({
            "0, 1, 0", "0, 2, 0", "0, 3, 1", "1, 2, 0", "1, 3, 1", "2, 3, 1", "2, 4, 2", "3, 4, 1", "4, 5, 0",
            "0, 10, 4", "0, 100, 25", "24, 29, 0", "90, 97, 0", "89, 97, 1", "97, 98, 1", "1000, 2000, 135",
            "9999999999970, 9999999999972, 1", "9999999999972, 10000000000000, 0"})
    void run_smallRanges(long from, long to, long count) throws Exception {
        String input = "{\"from\":" + from + ",\"to\":" + to + "}";
        assertThat(text(runUnit(app, input))).isEqualTo("{\"count\":" + count + "}");
    }

    @Test
    void job_nearTheUpperBound_matchesAProbablePrimeCount() throws Exception {
        long from = PrimesApp.MAX_TO - 3000;
        long expected = 0;
        for (long n = from; n < PrimesApp.MAX_TO; n++) {
            if (BigInteger.valueOf(n).isProbablePrime(40)) {
                expected++;
            }
        }
        assertThat(expected).isGreaterThan(50);
        String input = "{\"from\":" + from + ",\"to\":" + PrimesApp.MAX_TO + "}";
        assertThat(text(runJob(app, input, 1).body())).isEqualTo("{\"count\":" + expected + "}");
        assertThat(text(runJob(app, input, 7).body())).isEqualTo("{\"count\":" + expected + "}");
    }

    @Property(tries = 200)
    void job_anySplit_countsLikeTrialDivision(@ForAll @LongRange(max = 200_000) long from,
                                              @ForAll @IntRange(min = 1, max = 3000) int length,
                                              @ForAll @IntRange(min = 1, max = 20) int units) throws Exception {
        long expected = 0;
        for (long n = from; n < from + length; n++) {
            if (isPrime(n)) {
                expected++;
            }
        }
        String input = "{\"from\":" + from + ",\"to\":" + (from + length) + "}";
        assertThat(text(runJob(app, input, Math.min(units, length)).body())).isEqualTo("{\"count\":" + expected + "}");
    }

    private static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        for (long d = 2; d * d <= n; d++) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void run_cancelledAndResumed_givesTheUninterruptedOutput() throws Exception {
        JsonNode input = json("{\"from\":0,\"to\":10000000}");
        byte[] output = AppHarness.assertResumesExactly(app, app.unitInput(input, 1, 0), 5);
        assertThat(text(output)).isEqualTo("{\"count\":664579}");
    }

    @Test
    void run_ignoresACheckpointOfAnotherRange() throws Exception {
        JsonNode input = json("{\"from\":0,\"to\":1000000}");
        RunContext.InMemory context = RunContext.inMemory();
        context.checkpoint("{\"from\":5,\"to\":1000000,\"next\":524293,\"count\":7}".getBytes(StandardCharsets.UTF_8));
        assertThat(text(app.run(app.unitInput(input, 1, 0), context))).isEqualTo("{\"count\":78498}");
        context.checkpoint("garbage".getBytes(StandardCharsets.UTF_8));
        assertThat(text(app.run(app.unitInput(input, 1, 0), context))).isEqualTo("{\"count\":78498}");
    }

    @Test
    void unitInput_splitsTheRangeEvenlyAndContiguously() {
        JsonNode input = json("{\"from\":3,\"to\":100}");
        StringBuilder units = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            units.append(text(app.unitInput(input, 7, i)));
        }
        assertThat(units.toString()).isEqualTo("{\"from\":3,\"to\":17}{\"from\":17,\"to\":31}{\"from\":31,\"to\":45}"
                + "{\"from\":45,\"to\":59}{\"from\":59,\"to\":73}{\"from\":73,\"to\":87}{\"from\":87,\"to\":100}");
    }

    @Test
    void defaultWorkUnits_oneMillionIntegersEach_cappedAtTenThousand() {
        assertThat(app.defaultWorkUnits(json("{\"from\":2,\"to\":10000000}"))).isEqualTo(10);
        assertThat(app.defaultWorkUnits(json("{\"from\":0,\"to\":1}"))).isEqualTo(1);
        assertThat(app.defaultWorkUnits(json("{\"from\":0,\"to\":1000001}"))).isEqualTo(2);
        assertThat(app.defaultWorkUnits(json("{\"from\":0,\"to\":10000000000000}"))).isEqualTo(10_000);
    }

    @Test
    void cost_growsWithTheUnitsShare() {
        JsonNode input = json("{\"from\":0,\"to\":1000000000}");
        double whole = app.cost(input, 1, 0);
        double tenth = app.cost(input, 10, 3);
        assertThat(whole).isBetween(0.5, 10.0);
        assertThat(tenth).isCloseTo(whole / 10, org.assertj.core.data.Percentage.withPercentage(5));
        assertThat(app.cost(input, 10, 3)).isEqualTo(tenth);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"from\":-1,\"to\":10}|input.from|input.from (-1) must be at least 0",
            "{\"from\":5,\"to\":5}|input.to|input.to must be greater than input.from",
            "{\"from\":5,\"to\":3}|input.to|input.to must be greater than input.from",
            "{\"from\":0,\"to\":10000000000001}|input.to|input.to (10000000000001) must be at most 10000000000000",
            "{\"from\":0,\"to\":10,\"step\":2}|input.step|unknown field 'input.step' (known: from, to)",
            "{\"to\":10}|input.from|input.from is required",
            "{\"from\":0}|input.to|input.to is required",
            "{\"from\":\"0\",\"to\":10}|input.from|input.from must be an integer",
            "{\"from\":0,\"to\":10.5}|input.to|input.to must be an integer",
            "[0,10]|input|input must be an object",
    })
    void validate_rejectsBadInput(String input, String field, String message) {
        assertThatThrownBy(() -> app.validate(json(input), 1))
                .isInstanceOf(SpecException.class)
                .hasMessage(message)
                .extracting(e -> ((SpecException) e).field()).isEqualTo(field);
    }

    @Test
    void validate_rejectsMoreUnitsThanIntegers() throws Exception {
        app.validate(json("{\"from\":10,\"to\":20}"), 10);
        assertThatThrownBy(() -> app.validate(json("{\"from\":10,\"to\":20}"), 11))
                .isInstanceOf(SpecException.class)
                .hasMessage("workUnits (11) must not exceed the number of integers from input.from to input.to (10)")
                .extracting(e -> ((SpecException) e).field()).isEqualTo("workUnits");
    }

    @Test
    void run_rejectsAMalformedUnitInput() {
        assertThatThrownBy(() -> app.run("{\"from\":7,\"to\":3}".getBytes(StandardCharsets.UTF_8), RunContext.inMemory()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("primes unit input [7, 3)");
        assertThatThrownBy(() -> app.run("nonsense".getBytes(StandardCharsets.UTF_8), RunContext.inMemory()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"{\"count\":0}|true", "{\"count\":664579}|true",
            "{\"count\":-1}|false", "{\"count\":1.5}|false", "{\"count\":\"5\"}|false", "{ \"count\":5}|false",
            "{\"count\":5,\"x\":1}|false", "{\"cnt\":5}|false", "[5]|false", "{\"count\":5}{}|false",
            "{\"count\":99999999999999999999}|false", "''|false"})
    void wellFormed_acceptsOnlyACanonicalCount(String output, boolean expected) {
        assertThat(app.wellFormed(output.getBytes(StandardCharsets.UTF_8))).isEqualTo(expected);
    }

    @Test
    void wellFormed_rejectsNullAndBinary() {
        assertThat(app.wellFormed(null)).isFalse();
        assertThat(app.wellFormed(new byte[] {(byte) 0xFF, 0, 1})).isFalse();
    }

    @Test
    void merger_addsCountsAndChecksTheUnits() throws Exception {
        JsonNode input = json("{\"from\":0,\"to\":100}");
        Merger merger = app.merger(input, 2);
        merger.accept(0, "{\"count\":15}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(merger::finish).isInstanceOf(IllegalStateException.class)
                .hasMessage("only 1 of 2 units were merged");
        assertThatThrownBy(() -> merger.accept(0, "{\"count\":1}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalStateException.class).hasMessage("expected unit 1 of 2, got 0");
        merger.accept(1, "{\"count\":10}".getBytes(StandardCharsets.UTF_8));
        assertThat(text(merger.finish().body())).isEqualTo("{\"count\":25}");
    }
}
