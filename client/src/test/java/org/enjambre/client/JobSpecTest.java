package org.enjambre.client;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Job specs as the client builds and reads them. */
class JobSpecTest {
    @Test
    void builder_writesEverySetField_asTheApiNamesIt() {
        JobSpec spec = JobSpec.builder("primes").name("p").input(Map.of("from", 2)).workUnits(100).replicas(3).quorum(2)
                .maxErrors(4).maxResults(7).adaptive(true).credibility(0.9).spotCheckRate(0.1).deadlineSeconds(600).priority(5).build();

        assertThat(spec.toJson()).isEqualTo("{\"app\":\"primes\",\"name\":\"p\",\"input\":{\"from\":2},\"workUnits\":100,"
                + "\"redundancy\":{\"replicas\":3,\"quorum\":2,\"maxErrors\":4,\"maxResults\":7,\"adaptive\":true,"
                + "\"credibility\":0.9,\"spotCheckRate\":0.1},\"deadlineSeconds\":600,\"priority\":5}");
        assertThat(spec.app()).isEqualTo("primes");
    }

    @Test
    void builder_leavesUnsetFieldsToTheServer() {
        assertThat(JobSpec.builder("noop").inputJson("\"x\"").build().toJson()).isEqualTo("{\"app\":\"noop\",\"input\":\"x\"}");
    }

    @Test
    void wasmModule_isSetAsInputModule() {
        JobSpec spec = JobSpec.builder("wasm").inputJson("{\"inputs\":[\"a\"]}").wasmModule("ab12").build();
        assertThat(spec.toJsonNode().at("/input/module").asText()).isEqualTo("ab12");
        assertThat(spec.toJsonNode().at("/input/inputs/0").asText()).isEqualTo("a");
    }

    @Test
    void build_withoutInput_isRefused() {
        assertThatThrownBy(() -> JobSpec.builder("primes").build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("input");
    }

    @Test
    void fromJson_readsAJobFile_andRefusesWhatIsNoObject() {
        JobSpec spec = JobSpec.fromJson("{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":10}}");
        assertThat(spec.app()).isEqualTo("primes");
        assertThat(spec).isEqualTo(JobSpec.builder("primes").inputJson("{\"from\":2,\"to\":10}").build());
        assertThatThrownBy(() -> JobSpec.fromJson("[1]")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("object");
        assertThatThrownBy(() -> JobSpec.fromJson("{\"app\":")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
    }

    @Test
    void spec_isImmutable_afterBuild() {
        JobSpec.Builder b = JobSpec.builder("noop").inputJson("1");
        JobSpec first = b.build();
        b.workUnits(3);
        assertThat(first.toJson()).doesNotContain("workUnits");
        first.toJsonNode();
        assertThat(first.toJson()).isEqualTo("{\"app\":\"noop\",\"input\":1}");
    }
}
