package org.enjambre.workunits.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.enjambre.workunits.app.AppRegistry;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Any valid spec parses to what it says, and {@link JobSpecParser#toJson} parses back to an equal spec. */
class JobSpecRoundTripPropertiesTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final JobSpecParser parser = new JobSpecParser(AppRegistry.builtIns());

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().withCharRange('a', 'z').withChars(' ', 'é', '"', '\\', '·', '✓')
                .ofMinLength(1).ofMaxLength(JobSpecParser.MAX_NAME_LENGTH).filter(s -> !s.isBlank());
    }

    @Provide
    Arbitrary<Redundancy> policies() {
        return Arbitraries.integers().between(1, Redundancy.MAX_REPLICAS).flatMap(replicas -> Combinators.combine(
                Arbitraries.integers().between(1, replicas),
                Arbitraries.integers().between(0, Redundancy.MAX_ERRORS),
                Arbitraries.integers().between(replicas, Redundancy.MAX_RESULTS),
                Arbitraries.of(false, true)
        ).as((q, e, r, a) -> new Redundancy(replicas, q, e, r, a)));
    }

    @Provide
    Arbitrary<JsonNode> inputs() {
        Arbitrary<JsonNode> scalars = Arbitraries.oneOf(
                Arbitraries.longs().map(NODES::numberNode),
                Arbitraries.doubles().map(NODES::numberNode),
                Arbitraries.strings().ofMaxLength(8).withCharRange(' ', '~').map(NODES::textNode),
                Arbitraries.of(true, false).map(NODES::booleanNode));
        return Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(6), scalars).ofMaxSize(5)
                .map(fields -> {
                    ObjectNode node = NODES.objectNode();
                    for (Map.Entry<String, JsonNode> f : fields.entrySet()) {
                        node.set(f.getKey(), f.getValue());
                    }
                    return node;
                });
    }

    @Property(tries = 300)
    void parse_validSpec_keepsEveryValueAndRoundTrips(
            @ForAll("names") String name, @ForAll("inputs") JsonNode input, @ForAll("policies") Redundancy redundancy,
            @ForAll @IntRange(min = 1, max = JobSpecParser.MAX_WORK_UNITS) int workUnits,
            @ForAll @IntRange(min = 1, max = JobSpecParser.MAX_DEADLINE_SECONDS) int deadline,
            @ForAll @IntRange(min = -JobSpecParser.MAX_PRIORITY, max = JobSpecParser.MAX_PRIORITY) int priority)
            throws Exception {
        ObjectNode tree = NODES.objectNode();
        tree.put("name", name).put("app", "noop").put("workUnits", workUnits)
                .put("deadlineSeconds", deadline).put("priority", priority);
        tree.set("input", input);
        tree.putObject("redundancy").put("replicas", redundancy.replicas()).put("quorum", redundancy.quorum())
                .put("maxErrors", redundancy.maxErrors()).put("maxResults", redundancy.maxResults())
                .put("adaptive", redundancy.adaptive());

        JobSpec spec = parser.parse(tree.toString());

        // as text, a small long reads back as an int: compare with the trees the text gives
        JsonNode asRead = JSON.readTree(tree.toString());
        assertThat(spec).isEqualTo(new JobSpec(name, "noop", asRead.get("input"), workUnits, redundancy, deadline, priority));
        assertThat(JobSpecParser.toJson(spec)).isEqualTo(asRead);
        assertThat(parser.parse(JobSpecParser.toJson(spec).toString())).isEqualTo(spec);
    }
}
