package org.enjambre.workunits.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.enjambre.workunits.app.InputFiles;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.spec.SpecException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WordCountAppTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String A = "a".repeat(64);
    static final String B = "b".repeat(64);
    final WordCountApp app = new WordCountApp();

    /** A context whose files are in memory, read back three bytes at a time (words cross every read boundary). */
    static RunContext context(Map<String, String> files) {
        RunContext.InMemory base = RunContext.inMemory();
        return new RunContext() {
            @Override public void progress(double f) { }
            @Override public boolean timeToCheckpoint() { return false; }
            @Override public void checkpoint(byte[] state) { }
            @Override public Optional<byte[]> restore() { return Optional.empty(); }
            @Override public void checkCancelled() throws CancelledException { base.checkCancelled(); }

            @Override
            public InputFiles files() {
                return id -> {
                    String text = files.get(id);
                    if (text == null) {
                        throw new IOException("no file " + id);
                    }
                    return new FilterInputStream(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))) {
                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            return super.read(b, off, Math.min(len, 3));
                        }
                    };
                };
            }
        };
    }

    JsonNode input(String... ids) throws Exception {
        return JSON.readTree("{\"files\":[\"" + String.join("\",\"", ids) + "\"]}");
    }

    @Test
    void run_countsWordsLinesBytes_acrossReadBoundaries_andMergerSums() throws Exception {
        Map<String, String> files = Map.of(A, "  hello\tbig\n\nworld \r\n", B, "één twee");
        JsonNode in = input(A, B);
        app.validate(in, 2);
        byte[] outA = app.run(app.unitInput(in, 2, 0), context(files));
        byte[] outB = app.run(app.unitInput(in, 2, 1), context(files));
        assertThat(new String(outA, StandardCharsets.UTF_8)).isEqualTo("{\"words\":3,\"lines\":3,\"bytes\":21}");
        assertThat(app.wellFormed(outA)).isTrue();
        Merger m = app.merger(in, 2);
        m.accept(0, outA);
        m.accept(1, outB);
        assertThat(new String(m.finish().body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"words\":5,\"lines\":3,\"bytes\":31,\"files\":2}");
        assertThat(app.inputFiles(in)).containsExactly(Map.entry("input.files[0]", A), Map.entry("input.files[1]", B));
    }

    @Test
    void sharedStopwordFile_wordsListedInItAreNotCounted_byteForByte() throws Exception {
        String stop = "c".repeat(64);
        Map<String, String> files = Map.of(A, "the cat and the hat\nthe", B, "theme the", stop, "the\n and\t");
        JsonNode in = JSON.readTree("{\"files\":[\"" + A + "\",\"" + B + "\"],\"stopwords\":\"" + stop + "\"}");
        app.validate(in, 2);
        assertThat(app.inputFiles(in)).containsEntry("input.stopwords", stop).hasSize(3);
        assertThat(app.unitFiles(in, 2, 1)).as("a unit reads its own file and the shared one").containsExactly(B, stop);
        assertThat(app.unitFiles(input(A, B), 2, 0)).containsExactly(A);
        assertThat(new String(app.run(app.unitInput(in, 2, 0), context(files)), StandardCharsets.UTF_8))
                .isEqualTo("{\"words\":2,\"lines\":1,\"bytes\":23}");
        assertThat(new String(app.run(app.unitInput(in, 2, 1), context(files)), StandardCharsets.UTF_8))
                .isEqualTo("{\"words\":1,\"lines\":0,\"bytes\":9}");
        assertThatThrownBy(() -> app.validate(JSON.readTree("{\"files\":[\"" + A + "\"],\"stopwords\":\"x\"}"), 1))
                .extracting(e -> ((SpecException) e).field()).isEqualTo("input.stopwords");
    }

    @Test
    void validate_namesTheBadField() throws Exception {
        assertThatThrownBy(() -> app.validate(input(A, "xyz"), 2)).isInstanceOf(SpecException.class)
                .extracting(e -> ((SpecException) e).field()).isEqualTo("input.files[1]");
        assertThatThrownBy(() -> app.validate(JSON.readTree("{\"files\":[]}"), 1))
                .extracting(e -> ((SpecException) e).field()).isEqualTo("input.files");
        assertThatThrownBy(() -> app.validate(input(A), 2))
                .extracting(e -> ((SpecException) e).field()).isEqualTo("workUnits");
    }

    @Test
    void run_onAHostWithoutFiles_failsWithTheReason() throws Exception {
        JsonNode in = input(A);
        assertThatThrownBy(() -> app.run(app.unitInput(in, 1, 0), RunContext.inMemory()))
                .isInstanceOf(IOException.class).hasMessageContaining("serves no input files");
    }

    @Test
    void wellFormed_refusesAnythingElse() {
        assertThat(app.wellFormed("{\"words\":-1,\"lines\":0,\"bytes\":0}".getBytes())).isFalse();
        assertThat(app.wellFormed("{\"lines\":0,\"words\":1,\"bytes\":0}".getBytes())).isFalse();
        assertThat(app.wellFormed("nope".getBytes())).isFalse();
    }
}
