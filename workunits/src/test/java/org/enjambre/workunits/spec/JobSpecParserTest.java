package org.enjambre.workunits.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.spec.TestApps.FixedDefaultApp;
import org.enjambre.workunits.spec.TestApps.RangeApp;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class JobSpecParserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AppRegistry APPS = AppRegistry.builtIns()
            .with(new RangeApp())
            .with(new FixedDefaultApp("zero", 0))
            .with(new FixedDefaultApp("huge", Integer.MAX_VALUE))
            .with(new FixedDefaultApp("seven", 7));
    private final JobSpecParser parser = new JobSpecParser(APPS);

    /** JSON written with single quotes, for readability. */
    private static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    private JobSpec parse(String singleQuoted) throws SpecException {
        return parser.parse(json(singleQuoted));
    }

    private SpecException reject(String singleQuoted) {
        SpecException e = catchThrowableOfType(SpecException.class, () -> parser.parse(json(singleQuoted)));
        assertThat(e).as("rejection of %s", singleQuoted).isNotNull();
        return e;
    }

    private void assertRejected(String singleQuoted, String field, String message) {
        SpecException e = reject(singleQuoted);
        assertThat(e.field()).as("field").isEqualTo(field);
        assertThat(e.getMessage()).as("message").isEqualTo(message);
    }

    @Nested
    class Defaults {
        @Test
        void parse_appAndInputOnly_fillsEveryDefault() throws SpecException {
            JobSpec spec = parse("{'app': 'noop', 'input': {'x': 1}}");

            assertThat(spec.name()).isEqualTo("noop job");
            assertThat(spec.app()).isEqualTo("noop");
            assertThat(spec.input()).isEqualTo(JSON.createObjectNode().put("x", 1));
            assertThat(spec.workUnits()).isEqualTo(1);
            assertThat(spec.redundancy()).isEqualTo(new Redundancy(2, 2, 3, 6, false)).isEqualTo(Redundancy.DEFAULT);
            assertThat(spec.deadlineSeconds()).isEqualTo(600).isEqualTo(JobSpecParser.DEFAULT_DEADLINE_SECONDS);
            assertThat(spec.deadlineMillis()).isEqualTo(600_000L);
            assertThat(spec.priority()).isZero();
        }

        @Test
        void parse_explicitNulls_meanDefaults() throws SpecException {
            JobSpec spec = parse("{'app': 'noop', 'input': 0, 'name': null, 'workUnits': null, 'redundancy': null,"
                    + " 'deadlineSeconds': null, 'priority': null}");

            assertThat(spec).isEqualTo(parse("{'app': 'noop', 'input': 0}"));
        }

        @Test
        void parse_noWorkUnits_takesTheAppsDefault() throws SpecException {
            assertThat(parse("{'app': 'seven', 'input': {}}").workUnits()).isEqualTo(7);
            assertThat(parse("{'app': 'range', 'input': {'from': 10, 'to': 13}}").workUnits()).isEqualTo(3);
            assertThat(parse("{'app': 'range', 'input': {'from': 0, 'to': 1000}}").workUnits()).isEqualTo(5);
        }

        @Test
        void parse_appDefaultOutOfRange_isClamped() throws SpecException {
            assertThat(parse("{'app': 'zero', 'input': {}}").workUnits()).isEqualTo(1);
            assertThat(parse("{'app': 'huge', 'input': {}}").workUnits()).isEqualTo(JobSpecParser.MAX_WORK_UNITS);
        }

        @Test
        void parse_explicitValues_areKept() throws SpecException {
            JobSpec spec = parse("{'name': 'big one', 'app': 'noop', 'input': [1, 2], 'workUnits': 40,"
                    + " 'redundancy': {'replicas': 3, 'quorum': 2, 'maxErrors': 5, 'maxResults': 10, 'adaptive': true},"
                    + " 'deadlineSeconds': 30, 'priority': -7}");

            assertThat(spec.name()).isEqualTo("big one");
            assertThat(spec.input().isArray()).isTrue();
            assertThat(spec.workUnits()).isEqualTo(40);
            assertThat(spec.redundancy()).isEqualTo(new Redundancy(3, 2, 5, 10, true));
            assertThat(spec.deadlineSeconds()).isEqualTo(30);
            assertThat(spec.priority()).isEqualTo(-7);
        }

        @Test
        void parse_emptyRedundancy_isTheDefault() throws SpecException {
            assertThat(parse("{'app': 'noop', 'input': 0, 'redundancy': {}}").redundancy()).isEqualTo(Redundancy.DEFAULT);
        }

        @ParameterizedTest(name = "{0} gives {1}/{2}/{3}/{4}")
        @CsvSource({
                "{'replicas': 1},                 1, 1, 3, 6",
                "{'replicas': 3},                 3, 2, 3, 9",
                "{'replicas': 5},                 5, 2, 3, 15",
                "{'replicas': 16},                16, 2, 3, 48",
                "{'quorum': 1},                   2, 1, 3, 6",
                "{'replicas': 4; 'quorum': 4},    4, 4, 3, 12",
                "{'maxErrors': 0},                2, 2, 0, 6",
                "{'maxResults': 2},               2, 2, 3, 2",
                "{'replicas': 3; 'maxResults': 3}, 3, 2, 3, 3",
        })
        void parse_partialRedundancy_derivesTheRest(String redundancy, int replicas, int quorum, int maxErrors, int maxResults)
                throws SpecException {
            JobSpec spec = parse("{'app': 'noop', 'input': 0, 'redundancy': " + redundancy.replace(';', ',') + "}");

            assertThat(spec.redundancy()).isEqualTo(new Redundancy(replicas, quorum, maxErrors, maxResults, false));
        }

        @Test
        void parse_boundaryValues_areAccepted() throws SpecException {
            JobSpec low = parse("{'app': 'noop', 'input': 0, 'workUnits': 1, 'deadlineSeconds': 1, 'priority': -100,"
                    + " 'name': 'x', 'redundancy': {'replicas': 1, 'quorum': 1, 'maxErrors': 0, 'maxResults': 1}}");
            JobSpec high = parse("{'app': 'noop', 'input': 0, 'workUnits': " + JobSpecParser.MAX_WORK_UNITS + ", 'deadlineSeconds': 2592000,"
                    + " 'priority': 100, 'name': '" + "n".repeat(200) + "',"
                    + " 'redundancy': {'replicas': 16, 'quorum': 16, 'maxErrors': 64, 'maxResults': 64}}");

            assertThat(low.redundancy()).isEqualTo(new Redundancy(1, 1, 0, 1, false));
            assertThat(high.workUnits()).isEqualTo(JobSpecParser.MAX_WORK_UNITS);
            assertThat(high.deadlineSeconds()).isEqualTo(JobSpecParser.MAX_DEADLINE_SECONDS);
            assertThat(high.priority()).isEqualTo(JobSpecParser.MAX_PRIORITY);
            assertThat(high.name()).hasSize(JobSpecParser.MAX_NAME_LENGTH);
            assertThat(high.redundancy()).isEqualTo(new Redundancy(16, 16, 64, 64, false));
        }

        @Test
        void parse_inputIsCopied_soLaterChangesToTheTreeDoNotLeakIn() throws SpecException {
            ObjectNode tree = (ObjectNode) readTree("{'app': 'noop', 'input': {'x': 1}}");
            JobSpec spec = parser.parse(tree);

            ((ObjectNode) tree.get("input")).put("x", 2);

            assertThat(spec.input().get("x").intValue()).isEqualTo(1);
        }
    }

    @Nested
    class Document {
        @Test
        void parse_malformedJson_isReportedAgainstTheRoot() {
            SpecException e = reject("{'app': 'noop', ");

            assertThat(e.field()).isEqualTo("$");
            assertThat(e.getMessage()).startsWith("the job spec is not valid JSON at line 1, column ");
        }

        @Test
        void parse_unquotedValue_isMalformed() {
            SpecException e = reject("{'app': noop, 'input': 0}");

            assertThat(e.field()).isEqualTo("$");
            assertThat(e.getMessage()).startsWith("the job spec is not valid JSON at line 1, column ").contains("noop");
        }

        @Test
        void parse_trailingContent_isMalformed() {
            SpecException e = reject("{'app': 'noop', 'input': 0}\n {'app': 'primes'}");

            assertThat(e.field()).isEqualTo("$");
            assertThat(e.getMessage()).isEqualTo("the job spec is not valid JSON at line 2, column 2: more content after the end of the spec");
        }

        @Test
        void parse_duplicateField_isMalformed() {
            SpecException e = reject("{'app': 'noop', 'input': 0, 'app': 'primes'}");

            assertThat(e.field()).isEqualTo("$");
            assertThat(e.getMessage()).startsWith("the job spec is not valid JSON at line 1, column ").contains("'app'");
        }

        @Test
        void parse_duplicateNestedField_isMalformed() {
            SpecException e = reject("{'app': 'noop', 'input': 0, 'redundancy': {'replicas': 2, 'replicas': 5}}");

            assertThat(e.field()).isEqualTo("$");
            assertThat(e.getMessage()).contains("'replicas'");
        }

        @Test
        void parse_trailingGarbage_isMalformed() {
            SpecException e = reject("{'app': 'noop', 'input': 0} }");

            assertThat(e.field()).isEqualTo("$");
            assertThat(e.getMessage()).startsWith("the job spec is not valid JSON at line 1, column 29: ");
        }

        @Test
        void parse_trailingWhitespace_isFine() throws SpecException {
            assertThat(parse(" {'app': 'noop', 'input': 0}\n\t ").app()).isEqualTo("noop");
        }

        @ParameterizedTest
        @ValueSource(strings = {"[1, 2]", "42", "'text'", "null", "true", "", "  \n "})
        void parse_notAnObject_isRejected(String document) {
            assertRejected(document, "$", "the job spec must be a JSON object");
        }

        @Test
        void parse_nullText_isRejected() {
            SpecException e = catchThrowableOfType(SpecException.class, () -> parser.parse((String) null));

            assertThat(e.field()).isEqualTo("$");
            assertThat(e.getMessage()).isEqualTo("the job spec is empty");
        }

        @Test
        void parse_nullTree_isRejected() {
            SpecException e = catchThrowableOfType(SpecException.class, () -> parser.parse((JsonNode) null));

            assertThat(e.field()).isEqualTo("$");
            assertThat(e.getMessage()).isEqualTo("the job spec must be a JSON object");
        }

        @Test
        void parse_unknownTopLevelField_isNamed() {
            assertRejected("{'app': 'noop', 'input': 0, 'replica': 3}", "replica",
                    "unknown field 'replica' (known: app, deadlineSeconds, input, name, priority, redundancy, workUnits)");
        }

        @Test
        void parse_unknownRedundancyField_isNamed() {
            assertRejected("{'app': 'noop', 'input': 0, 'redundancy': {'replica': 3}}", "redundancy.replica",
                    "unknown field 'redundancy.replica' (known: adaptive, credibility, maxErrors, maxResults, quorum, replicas, spotCheckRate)");
        }
    }

    @Nested
    class AppAndInput {
        @Test
        void parse_missingApp_isRejected() {
            assertRejected("{'input': 0}", "app", "app is required");
            assertRejected("{'app': null, 'input': 0}", "app", "app is required");
        }

        @Test
        void parse_appNotAString_isRejected() {
            assertRejected("{'app': 5, 'input': 0}", "app", "app must be a string");
            assertRejected("{'app': ['noop'], 'input': 0}", "app", "app must be a string");
        }

        @Test
        void parse_unknownApp_listsTheKnownOnes() {
            SpecException e = catchThrowableOfType(SpecException.class,
                    () -> new JobSpecParser(AppRegistry.builtIns()).parse(json("{'app': 'foo', 'input': 0}")));

            assertThat(e.field()).isEqualTo("app");
            assertThat(e.getMessage()).isEqualTo("unknown app 'foo' (known: primes, collatz, mandelbrot, noop, wordcount, checksum)");
        }

        @Test
        void parse_appNamesAreCaseSensitive() {
            assertThat(reject("{'app': 'Noop', 'input': 0}").field()).isEqualTo("app");
        }

        @Test
        void parse_missingInput_isRejected() {
            assertRejected("{'app': 'noop'}", "input", "input is required");
            assertRejected("{'app': 'noop', 'input': null}", "input", "input is required");
        }

        @Test
        void parse_inputRejectedByTheApp_namesTheAppsField() {
            assertRejected("{'app': 'range', 'input': {'from': 0}}", "input.to", "input.to is required");
            assertRejected("{'app': 'range', 'input': {'from': 5, 'to': 5}}", "input.to",
                    "input.to (5) must be greater than input.from (5)");
            assertRejected("{'app': 'range', 'input': {'from': 0, 'to': 9, 'step': 1}}", "input.step",
                    "unknown field 'input.step' (known: from, to)");
            assertRejected("{'app': 'range', 'input': 'all'}", "input", "input must be an object");
        }

        @Test
        void parse_workUnitsRejectedByTheApp_namesWorkUnits() {
            assertRejected("{'app': 'range', 'input': {'from': 0, 'to': 10}, 'workUnits': 11}", "workUnits",
                    "workUnits (11) must not exceed input.to - input.from (10)");
        }

        @Test
        void parse_workUnitsAcceptedByTheApp_isKept() throws SpecException {
            assertThat(parse("{'app': 'range', 'input': {'from': 0, 'to': 10}, 'workUnits': 10}").workUnits()).isEqualTo(10);
        }
    }

    @Nested
    class Numbers {
        @ParameterizedTest(name = "workUnits {0}")
        @ValueSource(strings = {"0", "-1", "1000001", "2147483647", "-2147483648"})
        void parse_workUnitsOutOfRange_isRejected(String value) {
            assertRejected("{'app': 'noop', 'input': 0, 'workUnits': " + value + "}", "workUnits",
                    "workUnits (" + value + ") must be between 1 and 1000000");
        }

        @ParameterizedTest(name = "workUnits {0}")
        @ValueSource(strings = {"3000000000", "-3000000000", "99999999999999999999999"})
        void parse_numberOverflowingInt_saysTheRange(String value) {
            assertRejected("{'app': 'noop', 'input': 0, 'workUnits': " + value + "}", "workUnits",
                    "workUnits (" + value + ") must be between 1 and 1000000");
        }

        @ParameterizedTest(name = "workUnits {0}")
        @ValueSource(strings = {"2.5", "2.0", "1e3", "'3'", "true", "[3]", "{}"})
        void parse_workUnitsNotAnInteger_isRejected(String value) {
            assertRejected("{'app': 'noop', 'input': 0, 'workUnits': " + value + "}", "workUnits", "workUnits must be an integer");
        }

        @ParameterizedTest(name = "deadlineSeconds {0}")
        @ValueSource(strings = {"0", "-5", "2592001"})
        void parse_deadlineOutOfRange_isRejected(String value) {
            assertRejected("{'app': 'noop', 'input': 0, 'deadlineSeconds': " + value + "}", "deadlineSeconds",
                    "deadlineSeconds (" + value + ") must be between 1 and 2592000");
        }

        @Test
        void parse_deadlineNotAnInteger_isRejected() {
            assertRejected("{'app': 'noop', 'input': 0, 'deadlineSeconds': 1.5}", "deadlineSeconds",
                    "deadlineSeconds must be an integer");
            assertRejected("{'app': 'noop', 'input': 0, 'deadlineSeconds': '600'}", "deadlineSeconds",
                    "deadlineSeconds must be an integer");
        }

        @ParameterizedTest(name = "priority {0}")
        @ValueSource(strings = {"-101", "101", "5000000000"})
        void parse_priorityOutOfRange_isRejected(String value) {
            assertRejected("{'app': 'noop', 'input': 0, 'priority': " + value + "}", "priority",
                    "priority (" + value + ") must be between -100 and 100");
        }

        @Test
        void parse_priorityNotAnInteger_isRejected() {
            assertRejected("{'app': 'noop', 'input': 0, 'priority': 'high'}", "priority", "priority must be an integer");
        }
    }

    @Nested
    class Names {
        @Test
        void parse_blankName_isRejected() {
            assertRejected("{'app': 'noop', 'input': 0, 'name': ''}", "name", "name must not be blank");
            assertRejected("{'app': 'noop', 'input': 0, 'name': ' \\t '}", "name", "name must not be blank");
        }

        @Test
        void parse_tooLongName_isRejected() {
            assertRejected("{'app': 'noop', 'input': 0, 'name': '" + "n".repeat(201) + "'}", "name",
                    "name must be at most 200 characters");
        }

        @Test
        void parse_nameNotAString_isRejected() {
            assertRejected("{'app': 'noop', 'input': 0, 'name': 5}", "name", "name must be a string");
        }
    }

    @Nested
    class RedundancyFields {
        @Test
        void parse_quorumAboveReplicas_isRejected() {
            assertRejected("{'app': 'noop', 'input': 0, 'redundancy': {'replicas': 2, 'quorum': 3}}", "redundancy.quorum",
                    "redundancy.quorum (3) must not exceed redundancy.replicas (2)");
        }

        @Test
        void parse_quorumAboveDefaultReplicas_isRejected() {
            assertRejected("{'app': 'noop', 'input': 0, 'redundancy': {'quorum': 3}}", "redundancy.quorum",
                    "redundancy.quorum (3) must not exceed redundancy.replicas (2)");
        }

        @ParameterizedTest(name = "replicas {0}")
        @ValueSource(strings = {"0", "-1", "17", "3000000000"})
        void parse_replicasOutOfRange_isRejected(String value) {
            assertRejected("{'app': 'noop', 'input': 0, 'redundancy': {'replicas': " + value + "}}", "redundancy.replicas",
                    "redundancy.replicas (" + value + ") must be between 1 and 16");
        }

        @Test
        void parse_quorumBelowOne_isRejected() {
            assertRejected("{'app': 'noop', 'input': 0, 'redundancy': {'quorum': 0}}", "redundancy.quorum",
                    "redundancy.quorum (0) must be between 1 and 16");
        }

        @Test
        void parse_maxResultsBelowReplicas_isRejected() {
            assertRejected("{'app': 'noop', 'input': 0, 'redundancy': {'replicas': 3, 'maxResults': 2}}",
                    "redundancy.maxResults", "redundancy.maxResults (2) must be at least redundancy.replicas (3)");
        }

        @ParameterizedTest(name = "maxResults {0}")
        @ValueSource(strings = {"0", "65"})
        void parse_maxResultsOutOfRange_isRejected(String value) {
            assertRejected("{'app': 'noop', 'input': 0, 'redundancy': {'maxResults': " + value + "}}", "redundancy.maxResults",
                    "redundancy.maxResults (" + value + ") must be between 1 and 64");
        }

        @ParameterizedTest(name = "maxErrors {0}")
        @ValueSource(strings = {"-1", "65"})
        void parse_maxErrorsOutOfRange_isRejected(String value) {
            assertRejected("{'app': 'noop', 'input': 0, 'redundancy': {'maxErrors': " + value + "}}", "redundancy.maxErrors",
                    "redundancy.maxErrors (" + value + ") must be between 0 and 64");
        }

        @Test
        void parse_redundancyFieldsOfWrongType_areRejected() {
            assertRejected("{'app': 'noop', 'input': 0, 'redundancy': {'replicas': '2'}}", "redundancy.replicas",
                    "redundancy.replicas must be an integer");
            assertRejected("{'app': 'noop', 'input': 0, 'redundancy': {'quorum': 1.5}}", "redundancy.quorum",
                    "redundancy.quorum must be an integer");
            assertRejected("{'app': 'noop', 'input': 0, 'redundancy': {'maxErrors': false}}", "redundancy.maxErrors",
                    "redundancy.maxErrors must be an integer");
            assertRejected("{'app': 'noop', 'input': 0, 'redundancy': {'adaptive': 'yes'}}", "redundancy.adaptive",
                    "redundancy.adaptive must be true or false");
        }

        @Test
        void parse_redundancyNotAnObject_isRejected() {
            assertRejected("{'app': 'noop', 'input': 0, 'redundancy': 2}", "redundancy", "redundancy must be an object");
            assertRejected("{'app': 'noop', 'input': 0, 'redundancy': [2, 2]}", "redundancy", "redundancy must be an object");
        }
    }

    @Nested
    class RoundTrip {
        @Test
        void toJson_defaults_parseToAnEqualSpec() throws SpecException {
            JobSpec spec = parse("{'app': 'noop', 'input': {'a': [1, 2.5, 'x', null, true]}}");

            assertThat(parser.parse(JobSpecParser.toJson(spec))).isEqualTo(spec);
            assertThat(parser.parse(JobSpecParser.toJson(spec).toString())).isEqualTo(spec);
        }

        @Test
        void toJson_everyField_parsesToAnEqualSpec() throws SpecException {
            JobSpec spec = parse("{'name': 'n', 'app': 'range', 'input': {'from': -5, 'to': 10000000000}, 'workUnits': 15,"
                    + " 'redundancy': {'replicas': 4, 'quorum': 3, 'maxErrors': 0, 'maxResults': 4, 'adaptive': true},"
                    + " 'deadlineSeconds': 3600, 'priority': 100}");

            assertThat(parser.parse(JobSpecParser.toJson(spec).toString())).isEqualTo(spec);
        }

        @Test
        void toJson_writesEveryDefaultOut() throws SpecException {
            ObjectNode node = JobSpecParser.toJson(parse("{'app': 'noop', 'input': 0}"));

            assertThat(node).isEqualTo(readTree("{'name': 'noop job', 'app': 'noop', 'input': 0, 'workUnits': 1,"
                    + " 'redundancy': {'replicas': 2, 'quorum': 2, 'maxErrors': 3, 'maxResults': 6, 'adaptive': false},"
                    + " 'deadlineSeconds': 600, 'priority': 0}"));
        }

        @Test
        void toJson_changingTheResult_leavesTheSpecAlone() throws SpecException {
            JobSpec spec = parse("{'app': 'noop', 'input': {'x': 1}}");

            ((ObjectNode) JobSpecParser.toJson(spec).get("input")).put("x", 2);

            assertThat(spec.input().get("x").intValue()).isEqualTo(1);
        }
    }

    @Nested
    class InputHelpers {
        @Test
        void inputLong_readsIntegers() throws SpecException {
            assertThat(JobSpecParser.inputLong(readTree("{'to': 10000000000}"), "to")).isEqualTo(10_000_000_000L);
        }

        @Test
        void inputLong_rejectsWhatIsNotALong() {
            assertInput(() -> JobSpecParser.inputLong(readTree("[1]"), "to"), "input", "input must be an object");
            assertInput(() -> JobSpecParser.inputLong(readTree("{}"), "to"), "input.to", "input.to is required");
            assertInput(() -> JobSpecParser.inputLong(readTree("{'to': null}"), "to"), "input.to", "input.to is required");
            assertInput(() -> JobSpecParser.inputLong(readTree("{'to': 1.5}"), "to"), "input.to", "input.to must be an integer");
            assertInput(() -> JobSpecParser.inputLong(readTree("{'to': '7'}"), "to"), "input.to", "input.to must be an integer");
            assertInput(() -> JobSpecParser.inputLong(readTree("{'to': 99999999999999999999}"), "to"), "input.to",
                    "input.to must be an integer");
        }

        @Test
        void inputDouble_readsAnyFiniteNumber() throws SpecException {
            assertThat(JobSpecParser.inputDouble(readTree("{'x': -1.5}"), "x")).isEqualTo(-1.5);
            assertThat(JobSpecParser.inputDouble(readTree("{'x': 3}"), "x")).isEqualTo(3.0);
        }

        @Test
        void inputDouble_rejectsWhatIsNotAFiniteNumber() {
            assertInput(() -> JobSpecParser.inputDouble(readTree("3"), "x"), "input", "input must be an object");
            assertInput(() -> JobSpecParser.inputDouble(readTree("{}"), "x"), "input.x", "input.x is required");
            assertInput(() -> JobSpecParser.inputDouble(readTree("{'x': '1.0'}"), "x"), "input.x",
                    "input.x must be a finite number");
            assertInput(() -> JobSpecParser.inputDouble(readTree("{'x': 1e400}"), "x"), "input.x",
                    "input.x must be a finite number");
        }

        @Test
        void inputFields_rejectsTheFirstUnknownField() throws SpecException {
            JobSpecParser.inputFields(readTree("{'a': 1}"), java.util.Set.of("a", "b"));

            assertInput(() -> JobSpecParser.inputFields(readTree("{'a': 1, 'c': 2, 'd': 3}"), java.util.Set.of("b", "a")),
                    "input.c", "unknown field 'input.c' (known: a, b)");
            assertInput(() -> JobSpecParser.inputFields(readTree("'s'"), java.util.Set.of("a")), "input", "input must be an object");
        }

        private void assertInput(ThrowingCall call, String field, String message) {
            assertThatThrownBy(call::run).isInstanceOfSatisfying(SpecException.class, e -> {
                assertThat(e.field()).isEqualTo(field);
                assertThat(e.getMessage()).isEqualTo(message);
            });
        }
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }

    private static JsonNode readTree(String singleQuoted) {
        try {
            return JSON.readTree(json(singleQuoted));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
