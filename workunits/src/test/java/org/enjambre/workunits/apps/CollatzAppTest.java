package org.enjambre.workunits.apps;

import com.fasterxml.jackson.databind.JsonNode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
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

class CollatzAppTest {
    private static final BigInteger THREE = BigInteger.valueOf(3);
    private final CollatzApp app = new CollatzApp();

    @Test
    void run_belowOneMillion_asOneUnit() throws Exception {
        assertThat(text(runUnit(app, "{\"from\":1,\"to\":1000000}"))).isEqualTo("{\"maxSteps\":524,\"argmax\":837799}");
    }

    @Test
    void job_belowOneMillion_inTenUnits() throws Exception {
        var result = runJob(app, "{\"from\":1,\"to\":1000000}", 10);
        assertThat(result.contentType()).isEqualTo("application/json");
        assertThat(text(result.body())).isEqualTo("{\"maxSteps\":524,\"argmax\":837799}");
    }

    @ParameterizedTest(name = "[{0}, {1}) peaks at {3} with {2} steps")
    @CsvSource({"1, 2, 0, 1", "1, 3, 1, 2", "1, 4, 7, 3", "27, 28, 111, 27", "1, 10, 19, 9", "12, 14, 9, 12",
            "13, 14, 9, 13", "1, 100, 118, 97"})
    void run_smallRanges(long from, long to, long steps, long argmax) throws Exception {
        String input = "{\"from\":" + from + ",\"to\":" + to + "}";
        assertThat(text(runUnit(app, input))).isEqualTo("{\"maxSteps\":" + steps + ",\"argmax\":" + argmax + "}");
    }

    @Test
    void job_tieAcrossUnits_keepsTheSmallestNumber() throws Exception {
        // 12 and 13 both take 9 steps.
        assertThat(text(runJob(app, "{\"from\":12,\"to\":14}", 2).body())).isEqualTo("{\"maxSteps\":9,\"argmax\":12}");
    }

    @Test
    void merger_tie_keepsTheSmallestNumberWhateverTheOrder() throws Exception {
        Merger merger = app.merger(json("{\"from\":1,\"to\":100}"), 3);
        merger.accept(0, bytes("{\"maxSteps\":9,\"argmax\":13}"));
        merger.accept(1, bytes("{\"maxSteps\":9,\"argmax\":12}"));
        merger.accept(2, bytes("{\"maxSteps\":8,\"argmax\":2}"));
        assertThat(text(merger.finish().body())).isEqualTo("{\"maxSteps\":9,\"argmax\":12}");
    }

    @Test
    void merger_checksUnitOrderAndCompleteness() throws Exception {
        Merger merger = app.merger(json("{\"from\":1,\"to\":100}"), 2);
        assertThatThrownBy(() -> merger.accept(1, bytes("{\"maxSteps\":9,\"argmax\":13}")))
                .isInstanceOf(IllegalStateException.class).hasMessage("expected unit 0 of 2, got 1");
        assertThatThrownBy(() -> merger.accept(0, bytes("{\"count\":3}")))
                .isInstanceOf(IllegalArgumentException.class);
        merger.accept(0, bytes("{\"maxSteps\":9,\"argmax\":13}"));
        assertThatThrownBy(merger::finish).isInstanceOf(IllegalStateException.class)
                .hasMessage("only 1 of 2 units were merged");
    }

    @Property(tries = 60)
    void job_anySplit_matchesANaiveCount(@ForAll @LongRange(min = 1, max = 1_000_000) long from,
                                         @ForAll @IntRange(min = 1, max = 2000) int length,
                                         @ForAll @IntRange(min = 1, max = 12) int units) throws Exception {
        long best = -1;
        long argmax = 0;
        for (long n = from; n < from + length; n++) {
            long s = 0;
            for (long x = n; x != 1; s++) {   // stays far below 2^63 for n < 2^21
                x = (x & 1) == 0 ? x / 2 : 3 * x + 1;
            }
            if (s > best) {
                best = s;
                argmax = n;
            }
        }
        String input = "{\"from\":" + from + ",\"to\":" + (from + length) + "}";
        assertThat(text(runJob(app, input, Math.min(units, length)).body()))
                .isEqualTo("{\"maxSteps\":" + best + ",\"argmax\":" + argmax + "}");
    }

    @ParameterizedTest
    @CsvSource({"8528817511", "1410123943", "319804831", "999999999999"})
    void run_trajectoriesBeyondLong_areExact(long n) throws Exception {
        String input = "{\"from\":" + n + ",\"to\":" + (n + 1) + "}";
        assertThat(text(runUnit(app, input))).isEqualTo("{\"maxSteps\":" + naiveSteps(n) + ",\"argmax\":" + n + "}");
    }

    @Test
    void naiveSteps_leavesTheRangeOfLong_forTheFirstRecordThatDoes() {
        BigInteger peak = BigInteger.ONE;
        BigInteger x = BigInteger.valueOf(8528817511L);
        while (!x.equals(BigInteger.ONE)) {
            x = x.testBit(0) ? x.multiply(THREE).add(BigInteger.ONE) : x.shiftRight(1);
            peak = peak.max(x);
        }
        assertThat(peak).isGreaterThan(BigInteger.valueOf(Long.MAX_VALUE));
    }

    private static long naiveSteps(long n) {
        BigInteger x = BigInteger.valueOf(n);
        long steps = 0;
        while (!x.equals(BigInteger.ONE)) {
            x = x.testBit(0) ? x.multiply(THREE).add(BigInteger.ONE) : x.shiftRight(1);
            steps++;
        }
        return steps;
    }

    @Test
    void run_cancelledAndResumed_givesTheUninterruptedOutput() throws Exception {
        JsonNode input = json("{\"from\":1,\"to\":1000000}");
        byte[] output = AppHarness.assertResumesExactly(app, app.unitInput(input, 1, 0), 5);
        assertThat(text(output)).isEqualTo("{\"maxSteps\":524,\"argmax\":837799}");
    }

    @Test
    void run_ignoresACheckpointOfAnotherRange() throws Exception {
        RunContext.InMemory context = RunContext.inMemory();
        context.checkpoint(bytes("{\"from\":2,\"to\":1000000,\"next\":900000,\"maxSteps\":600,\"argmax\":3}"));
        assertThat(text(app.run(app.unitInput(json("{\"from\":1,\"to\":1000000}"), 1, 0), context)))
                .isEqualTo("{\"maxSteps\":524,\"argmax\":837799}");
    }

    @Test
    void defaultWorkUnits_oneHundredThousandNumbersEach_cappedAtTenThousand() {
        assertThat(app.defaultWorkUnits(json("{\"from\":1,\"to\":1000000}"))).isEqualTo(10);
        assertThat(app.defaultWorkUnits(json("{\"from\":1,\"to\":2}"))).isEqualTo(1);
        assertThat(app.defaultWorkUnits(json("{\"from\":1,\"to\":1000000000000}"))).isEqualTo(10_000);
    }

    @Test
    void cost_isPositiveAndGrowsWithTheShare() {
        JsonNode input = json("{\"from\":1,\"to\":100000000}");
        assertThat(app.cost(input, 1, 0)).isBetween(1.0, 100.0);
        assertThat(app.cost(input, 10, 9)).isLessThan(app.cost(input, 1, 0) / 5).isGreaterThan(0.0);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"from\":0,\"to\":10}|input.from|input.from (0) must be at least 1",
            "{\"from\":10,\"to\":10}|input.to|input.to must be greater than input.from",
            "{\"from\":10,\"to\":9}|input.to|input.to must be greater than input.from",
            "{\"from\":1,\"to\":1000000000001}|input.to|input.to (1000000000001) must be at most 1000000000000",
            "{\"from\":1,\"to\":10,\"by\":2}|input.by|unknown field 'input.by' (known: from, to)",
            "{\"from\":1}|input.to|input.to is required",
            "{\"from\":1,\"to\":true}|input.to|input.to must be an integer",
            "\"1-10\"|input|input must be an object",
    })
    void validate_rejectsBadInput(String input, String field, String message) {
        assertThatThrownBy(() -> app.validate(json(input), 1))
                .isInstanceOf(SpecException.class)
                .hasMessage(message)
                .extracting(e -> ((SpecException) e).field()).isEqualTo(field);
    }

    @Test
    void validate_rejectsMoreUnitsThanNumbers() {
        assertThatThrownBy(() -> app.validate(json("{\"from\":1,\"to\":4}"), 4))
                .isInstanceOf(SpecException.class)
                .hasMessage("workUnits (4) must not exceed the number of integers from input.from to input.to (3)")
                .extracting(e -> ((SpecException) e).field()).isEqualTo("workUnits");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"{\"maxSteps\":524,\"argmax\":837799}|true", "{\"maxSteps\":0,\"argmax\":1}|true",
            "{\"maxSteps\":0,\"argmax\":0}|false", "{\"argmax\":837799,\"maxSteps\":524}|false",
            "{\"maxSteps\":-1,\"argmax\":5}|false", "{\"maxSteps\":524}|false", "{\"maxSteps\":524,\"argmax\":837799,\"x\":0}|false",
            "{\"maxSteps\":3000000000,\"argmax\":5}|false", "{\"maxSteps\":524, \"argmax\":837799}|false", "null|false"})
    void wellFormed_acceptsOnlyACanonicalResult(String output, boolean expected) {
        assertThat(app.wellFormed(bytes(output))).isEqualTo(expected);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
