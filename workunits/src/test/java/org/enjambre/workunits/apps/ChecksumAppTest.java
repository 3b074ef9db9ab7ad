package org.enjambre.workunits.apps;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.spec.SpecException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.enjambre.workunits.apps.WordCountAppTest.JSON;
import static org.enjambre.workunits.apps.WordCountAppTest.context;

class ChecksumAppTest {
    static final String A = "a".repeat(64);
    static final String B = "b".repeat(64);
    static final String C = "c".repeat(64);
    static final String D = "d".repeat(64);
    static final String S = "5".repeat(64);
    final ChecksumApp app = new ChecksumApp();

    JsonNode input(String extra, String... ids) throws Exception {
        return JSON.readTree("{\"files\":[\"" + String.join("\",\"", ids) + "\"]" + extra + "}");
    }

    String run(JsonNode in, int units, int i, Map<String, String> files) throws Exception {
        return new String(app.run(app.unitInput(in, units, i), context(files)), StandardCharsets.UTF_8);
    }

    @Test
    void run_ownFileThenItsSliceOfTheSharedFile_knownCrc32_clippedAtTheEnd() throws Exception {
        Map<String, String> files = Map.of(A, "12345", B, "", C, "x", D, "yz", S, "6789abcdef");
        JsonNode in = input(",\"shared\":\"" + S + "\",\"sliceBytes\":4", A, B, C, D);
        app.validate(in, 4);
        // "123456789" is CRC-32's published check string: 0xCBF43926.
        assertThat(run(in, 4, 0, files)).isEqualTo("{\"bytes\":9,\"crc32\":" + 0xCBF43926L + "}");
        // "abcd": CRC-32 0xED82CD11; "xef" is clipped at the shared file's end; past it only the own file is read.
        assertThat(run(in, 4, 1, files)).isEqualTo("{\"bytes\":4,\"crc32\":" + 0xED82CD11L + "}");
        assertThat(run(in, 4, 2, files)).startsWith("{\"bytes\":3,");
        assertThat(run(in, 4, 3, files)).startsWith("{\"bytes\":2,");
        Merger m = app.merger(in, 4);
        for (int i = 0; i < 4; i++) {
            m.accept(i, run(in, 4, i, files).getBytes(StandardCharsets.UTF_8));
        }
        assertThat(new String(m.finish().body(), StandardCharsets.UTF_8)).startsWith("{\"bytes\":18,\"crc32sum\":")
                .endsWith(",\"files\":4}");
        assertThat(app.inputFiles(in)).containsEntry("input.shared", S).hasSize(5);
        assertThat(app.unitFiles(in, 4, 2)).containsExactly(C, S);
    }

    @Test
    void withoutASharedFile_checksumsTheFilesAlone() throws Exception {
        JsonNode in = input("", A);
        app.validate(in, 1);
        assertThat(run(in, 1, 0, Map.of(A, "123456789"))).isEqualTo("{\"bytes\":9,\"crc32\":" + 0xCBF43926L + "}");
        assertThat(app.unitFiles(in, 1, 0)).containsExactly(A);
    }

    @Test
    void validate_badInputs_nameTheField() throws Exception {
        assertThat(field(input(",\"shared\":\"" + S + "\"", A), 1)).isEqualTo("input.sliceBytes");
        assertThat(field(input(",\"shared\":\"" + S + "\",\"sliceBytes\":0", A), 1)).isEqualTo("input.sliceBytes");
        assertThat(field(input(",\"shared\":\"" + S + "\",\"sliceBytes\":1.5", A), 1)).isEqualTo("input.sliceBytes");
        assertThat(field(input(",\"sliceBytes\":4", A), 1)).isEqualTo("input.sliceBytes");
        assertThat(field(input(",\"shared\":\"nope\",\"sliceBytes\":4", A), 1)).isEqualTo("input.shared");
        assertThat(field(input("", A, "x"), 2)).isEqualTo("input.files[1]");
        assertThat(field(input(",\"other\":1", A), 1)).isEqualTo("input");
        assertThat(field(input("", A, B), 3)).isEqualTo("workUnits");
    }

    private String field(JsonNode in, int units) {
        return ((SpecException) org.assertj.core.api.Assertions.catchThrowable(() -> app.validate(in, units))).field();
    }
}
