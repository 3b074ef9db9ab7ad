package org.enjambre.workunits.spec;

import org.enjambre.workunits.app.AppRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The job-side limits with the built-in apps: unit count, input bytes, printable names, unit cost against the deadline. */
class JobLimitsTest {
    private static final Pattern AT_LEAST_UNITS = Pattern.compile("use at least (\\d+) workUnits");
    private final JobSpecParser parser = new JobSpecParser(AppRegistry.builtIns());

    private SpecException reject(String json) {
        SpecException e = catchThrowableOfType(SpecException.class, () -> parser.parse(json));
        assertThat(e).as("rejection of %s", json.length() > 200 ? json.substring(0, 200) : json).isNotNull();
        return e;
    }

    @Test
    void parse_poisonJob_tenMillionUnits_isRefusedNamingWorkUnits() {
        SpecException e = reject("{\"app\":\"primes\",\"input\":{\"from\":0,\"to\":10000000000000},\"workUnits\":10000000}");

        assertThat(e.field()).isEqualTo("workUnits");
        assertThat(e.getMessage()).isEqualTo("workUnits (10000000) must be between 1 and 1000000");
    }

    @Test
    void parse_primesToTenToThe13InOneUnit_isRefusedWithTheEstimateAndAUnitCountThatFits() throws Exception {
        String spec = "{\"app\":\"primes\",\"input\":{\"from\":0,\"to\":10000000000000},\"workUnits\":%d}";
        SpecException e = reject(spec.formatted(1));

        assertThat(e.field()).isEqualTo("workUnits");
        assertThat(e.getMessage()).startsWith("a unit of this job is estimated at up to 70,000 s of work on the reference "
                + "machine, 350,000 s on a slow volunteer machine (5× slower), longer than deadlineSeconds (600): use at least ")
                .endsWith(" workUnits or a deadlineSeconds of at least 350001");
        int fits = suggestedUnits(e);
        assertThat(parser.parse(spec.formatted(fits)).workUnits()).isEqualTo(fits);
        assertThat(reject(spec.formatted(fits - 1)).field()).isEqualTo("workUnits");
    }

    @Test
    void parse_hugeMandelbrotInOneUnit_isRefusedAndTheSuggestedCountIsAccepted() throws Exception {
        String spec = "{\"app\":\"mandelbrot\",\"input\":{\"width\":8192,\"height\":8192,\"xMin\":-2,\"xMax\":1,\"yMin\":-1.5,"
                + "\"yMax\":1.5,\"maxIterations\":100000},\"workUnits\":%d}";
        SpecException e = reject(spec.formatted(1));

        assertThat(e.field()).isEqualTo("workUnits");
        assertThat(e.getMessage()).contains("estimated at up to 67,109 s", "longer than deadlineSeconds (600)");
        int fits = suggestedUnits(e);
        assertThat(parser.parse(spec.formatted(fits)).workUnits()).isEqualTo(fits);
    }

    @Test
    void parse_unitThatNoUnitCountSplitsSmallEnough_suggestsOnlyALongerDeadline() {
        // One row of 8192 pixels × 100,000 iterations is ~8 s; a 1-second deadline fits no band of it.
        SpecException e = reject("{\"app\":\"mandelbrot\",\"input\":{\"width\":8192,\"height\":2,\"xMin\":-2,\"xMax\":1,"
                + "\"yMin\":-1.5,\"yMax\":1.5,\"maxIterations\":100000},\"workUnits\":2,\"deadlineSeconds\":1}");

        assertThat(e.getMessage()).endsWith("longer than deadlineSeconds (1): use a deadlineSeconds of at least 41");
    }

    @Test
    void parse_bigRangesWithTheirDefaultUnitCount_areAccepted() throws Exception {
        assertThat(parser.parse("{\"app\":\"primes\",\"input\":{\"from\":0,\"to\":10000000000000}}").workUnits()).isEqualTo(10_000);
        assertThat(parser.parse("{\"app\":\"collatz\",\"input\":{\"from\":1,\"to\":1000000000000}}").workUnits()).isEqualTo(10_000);
    }

    @Test
    void parse_inputOverOneMebibyte_isRefusedNamingInput() {
        SpecException e = reject("{\"app\":\"noop\",\"input\":[\"" + "x".repeat(JobSpecParser.MAX_INPUT_BYTES) + "\"]}");

        assertThat(e.field()).isEqualTo("input");
        assertThat(e.getMessage()).startsWith("input is 1048580 bytes as JSON, more than the limit of 1048576 bytes (1 MiB)");
    }

    @Test
    void parse_noopStringLargerThanAUnitInput_isRefusedNamingInput() throws Exception {
        int justFits = JobSpecParser.MAX_UNIT_INPUT_BYTES - 2; // "#0" follows the string in unit 0
        parser.parse("{\"app\":\"noop\",\"input\":\"" + "x".repeat(justFits) + "\"}");
        SpecException e = reject("{\"app\":\"noop\",\"input\":\"" + "x".repeat(justFits + 1) + "\"}");

        assertThat(e.field()).isEqualTo("input");
        assertThat(e.getMessage()).contains("262145 bytes", "limit of 262144 bytes per unit");
    }

    @ParameterizedTest(name = "U+{0}")
    @ValueSource(strings = {"\u001b[31mred\u001b[0m", "bell\u0007", "new\nline", "del\u007f", "c1\u009b", "rtl\u202Eevil", "ls\u2028x"})
    void parse_nameWithControlCharacters_isRefusedNamingName(String name) {
        SpecException e = reject("{\"app\":\"noop\",\"input\":0,\"name\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(name) + "}");

        assertThat(e.field()).isEqualTo("name");
        assertThat(e.getMessage()).startsWith("name must be printable: it holds the control character U+");
    }

    @Test
    void parse_nameWithAccentsAndEmoji_isAccepted() throws Exception {
        assertThat(parser.parse("{\"app\":\"noop\",\"input\":0,\"name\":\"Ñandú 🐝 primes · run 2\"}").name())
                .isEqualTo("Ñandú 🐝 primes · run 2");
    }

    private static int suggestedUnits(SpecException e) {
        Matcher m = AT_LEAST_UNITS.matcher(e.getMessage());
        assertThat(m.find()).as("a unit count in: %s", e.getMessage()).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
