package org.enjambre.workunits.apps;

import com.fasterxml.jackson.databind.JsonNode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.spec.SpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.enjambre.workunits.apps.AppHarness.json;
import static org.enjambre.workunits.apps.AppHarness.runJob;
import static org.enjambre.workunits.apps.AppHarness.text;

class MandelbrotAppTest {
    private static final String VIEW = "{\"width\":320,\"height\":240,\"xMin\":-2.5,\"xMax\":1.0,"
            + "\"yMin\":-1.3125,\"yMax\":1.3125,\"maxIterations\":200}";
    private final MandelbrotApp app = new MandelbrotApp();

    @Test
    void job_isAPngOfTheRequestedSize() throws Exception {
        MergedResult result = runJob(app, VIEW, 1);
        assertThat(result.contentType()).isEqualTo("image/png");
        byte[] png = result.body();
        assertThat(Arrays.copyOf(png, 8)).isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});

        List<String> chunks = chunkTypes(png);
        assertThat(chunks.get(0)).isEqualTo("IHDR");
        assertThat(chunks.get(1)).isEqualTo("PLTE");
        assertThat(chunks).contains("IDAT").last().isEqualTo("IEND");
        ByteBuffer ihdr = ByteBuffer.wrap(png, 16, 13);
        assertThat(ihdr.getInt()).as("width").isEqualTo(320);
        assertThat(ihdr.getInt()).as("height").isEqualTo(240);
        assertThat(ihdr.get()).as("bit depth").isEqualTo((byte) 8);
        assertThat(ihdr.get()).as("colour type (indexed)").isEqualTo((byte) 3);
    }

    @Test
    void job_pngDecodes_insideTheSetIsBlack() throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(runJob(app, VIEW, 3).body()));
        assertThat(image.getWidth()).isEqualTo(320);
        assertThat(image.getHeight()).isEqualTo(240);
        // Pixel (210, 120) is near c = -0.19 + 0i, inside the main cardioid; (0, 0) is far outside.
        assertThat(image.getRGB(210, 120) & 0xFFFFFF).isEqualTo(0x000000);
        assertThat(image.getRGB(0, 0) & 0xFFFFFF).isNotEqualTo(0x000000);
        // Symmetric view: row r and row 239 - r are mirror images (c and its conjugate escape alike).
        for (int x = 0; x < 320; x += 7) {
            assertThat(image.getRGB(x, 30)).isEqualTo(image.getRGB(x, 209));
        }
    }

    @Test
    void job_mergedFromSevenTiles_isByteIdenticalToTheWholeRender() throws Exception {
        byte[] whole = runJob(app, VIEW, 1).body();
        byte[] tiled = runJob(app, VIEW, 7).body();
        assertThat(tiled).isEqualTo(whole);
        assertThat(runJob(app, VIEW, 240).body()).isEqualTo(whole);
    }

    @Test
    void job_isDeterministic() throws Exception {
        assertThat(runJob(app, VIEW, 4).body()).isEqualTo(runJob(app, VIEW, 4).body());
        JsonNode input = json(VIEW);
        assertThat(app.run(app.unitInput(input, 5, 2), RunContext.inMemory()))
                .isEqualTo(app.run(app.unitInput(input, 5, 2), RunContext.inMemory()));
    }

    @Property(tries = 30)
    void job_anySplit_givesTheSameImage(@ForAll @IntRange(min = 1, max = 40) int width,
                                        @ForAll @IntRange(min = 1, max = 30) int height,
                                        @ForAll @IntRange(min = 1, max = 30) int units) throws Exception {
        String view = "{\"width\":" + width + ",\"height\":" + height
                + ",\"xMin\":-2,\"xMax\":0.5,\"yMin\":-1.1,\"yMax\":1.1,\"maxIterations\":100}";
        assertThat(runJob(app, view, Math.min(units, height)).body()).isEqualTo(runJob(app, view, 1).body());
    }

    @Test
    void escape_knownPoints() {
        assertThat(MandelbrotApp.escape(0, 0, 500)).isEqualTo(500);
        assertThat(MandelbrotApp.escape(-1, 0, 500)).isEqualTo(500);
        assertThat(MandelbrotApp.escape(2, 2, 500)).isEqualTo(1);
        assertThat(MandelbrotApp.escape(1, 0, 500)).isEqualTo(3);   // 0, 1, 2, 5
    }

    @Test
    void unitInput_writesExactHexadecimalCoordinatesAndTheBand() {
        JsonNode input = json("{\"width\":10,\"height\":10,\"xMin\":-2,\"xMax\":0.1,\"yMin\":-1,\"yMax\":1,\"maxIterations\":50}");
        assertThat(text(app.unitInput(input, 3, 1))).isEqualTo("{\"width\":10,\"height\":10,\"xMin\":\"-0x1.0p1\","
                + "\"xMax\":\"0x1.999999999999ap-4\",\"yMin\":\"-0x1.0p0\",\"yMax\":\"0x1.0p0\",\"maxIterations\":50,"
                + "\"rowFrom\":4,\"rowTo\":7}");
    }

    @Test
    void run_cancelledAndResumed_givesTheUninterruptedOutput() throws Exception {
        byte[] unit = app.unitInput(json(VIEW), 2, 1);
        byte[] output = AppHarness.assertResumesExactly(app, unit, 10);
        assertThat(app.wellFormed(output)).isTrue();
    }

    @Test
    void run_ignoresACheckpointOfAnotherBand() throws Exception {
        JsonNode input = json(VIEW);
        byte[] expected = app.run(app.unitInput(input, 2, 1), RunContext.inMemory());
        RunContext.InMemory other = RunContext.inMemory().cancelAfterCheckpoints(3);
        assertThatThrownBy(() -> app.run(app.unitInput(input, 2, 0), other)).isInstanceOf(RunContext.CancelledException.class);
        assertThat(app.run(app.unitInput(input, 2, 1), other.resume())).isEqualTo(expected);
        RunContext.InMemory garbage = RunContext.inMemory();
        garbage.checkpoint(new byte[] {'M', 'B', 1, (byte) 0x80});
        assertThat(app.run(app.unitInput(input, 2, 1), garbage)).isEqualTo(expected);
    }

    @Test
    void wellFormed_acceptsOnlyACanonicalBand() throws Exception {
        byte[] band = app.run(app.unitInput(json(VIEW), 7, 3), RunContext.inMemory());
        assertThat(app.wellFormed(band)).isTrue();
        assertThat(app.wellFormed(Arrays.copyOf(band, band.length - 1))).as("truncated").isFalse();
        assertThat(app.wellFormed(Arrays.copyOf(band, band.length + 1))).as("trailing byte").isFalse();
        byte[] badMagic = band.clone();
        badMagic[0] = 'X';
        assertThat(app.wellFormed(badMagic)).isFalse();
        assertThat(app.wellFormed(null)).isFalse();
        assertThat(app.wellFormed(new byte[0])).isFalse();
        assertThat(app.wellFormed("{\"count\":1}".getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void wellFormed_rejectsNonCanonicalRuns() {
        MandelbrotBand.Header header = new MandelbrotBand.Header(4, 0, 1, 10);
        MandelbrotBand.Writer ok = new MandelbrotBand.Writer(header);
        ok.row(new int[] {3, 3, 10, 3});
        assertThat(app.wellFormed(ok.bytes())).isTrue();
        byte[] prefix = new MandelbrotBand.Writer(header).bytes();
        assertThat(app.wellFormed(concat(prefix, 2, 3, 2, 3))).as("equal neighbouring runs").isFalse();
        assertThat(app.wellFormed(concat(prefix, 4, 11))).as("count above maxIterations").isFalse();
        assertThat(app.wellFormed(concat(prefix, 5, 1))).as("run past the row").isFalse();
        assertThat(app.wellFormed(concat(prefix, 0, 1, 4, 1))).as("empty run").isFalse();
        assertThat(app.wellFormed(concat(prefix, 0x84, 0x00, 1))).as("padded varint").isFalse();
        assertThat(app.wellFormed(concat(prefix, 4, 1))).isTrue();
    }

    private static byte[] concat(byte[] prefix, int... tail) {
        byte[] out = Arrays.copyOf(prefix, prefix.length + tail.length);
        for (int i = 0; i < tail.length; i++) {
            out[prefix.length + i] = (byte) tail[i];
        }
        return out;
    }

    @Test
    void merger_rejectsBandsOutOfPlace() throws Exception {
        JsonNode input = json(VIEW);
        byte[] first = app.run(app.unitInput(input, 2, 0), RunContext.inMemory());
        Merger merger = app.merger(input, 2);
        merger.accept(0, first);
        assertThatThrownBy(() -> merger.accept(1, first))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unit 1 output is band Header[width=320, rowFrom=0, rowTo=120");
        assertThatThrownBy(merger::finish).isInstanceOf(IllegalStateException.class)
                .hasMessage("only 1 of 2 units were merged");
    }

    @Test
    void defaultWorkUnits_aboutOneHundredMillionIterationsEach_atMostOnePerRow() {
        assertThat(app.defaultWorkUnits(json(VIEW))).isEqualTo(1);
        assertThat(app.defaultWorkUnits(json("{\"width\":800,\"height\":600,\"xMin\":-2.5,\"xMax\":1,"
                + "\"yMin\":-1,\"yMax\":1,\"maxIterations\":1000}"))).isEqualTo(5);
        assertThat(app.defaultWorkUnits(json("{\"width\":8192,\"height\":10,\"xMin\":-2.5,\"xMax\":1,"
                + "\"yMin\":-1,\"yMax\":1,\"maxIterations\":100000}"))).isEqualTo(10);
    }

    @Test
    void cost_followsPixelsTimesIterations() {
        JsonNode input = json(VIEW);
        assertThat(app.cost(input, 1, 0)).isEqualTo(320 * 240 * 200 * 1e-9);
        assertThat(app.cost(input, 2, 1)).isEqualTo(app.cost(input, 1, 0) / 2);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"width\":0|input.width|input.width (0) must be between 1 and 8192",
            "\"width\":8193|input.width|input.width (8193) must be between 1 and 8192",
            "\"width\":1.5|input.width|input.width must be an integer",
            "\"height\":0|input.height|input.height (0) must be between 1 and 8192",
            "\"height\":9000|input.height|input.height (9000) must be between 1 and 8192",
            "\"xMax\":-2.5|input.xMax|input.xMax must be greater than input.xMin",
            "\"xMax\":-3|input.xMax|input.xMax must be greater than input.xMin",
            "\"yMin\":1.3125|input.yMax|input.yMax must be greater than input.yMin",
            "\"xMin\":\"left\"|input.xMin|input.xMin must be a finite number",
            "\"xMin\":-1e308,\"xMax\":1e308|input.xMax|input.xMax - input.xMin must be a finite number",
            "\"maxIterations\":0|input.maxIterations|input.maxIterations (0) must be between 1 and 100000",
            "\"maxIterations\":100001|input.maxIterations|input.maxIterations (100001) must be between 1 and 100000",
            "\"zoom\":2|input.zoom|unknown field 'input.zoom' (known: height, maxIterations, width, xMax, xMin, yMax, yMin)",
    })
    void validate_rejectsBadInput(String change, String field, String message) {
        // Later duplicate keys win in Jackson's tree model, so appending a field overrides it.
        JsonNode input = json(VIEW.substring(0, VIEW.length() - 1) + "," + change + "}");
        assertThatThrownBy(() -> app.validate(input, 1))
                .isInstanceOf(SpecException.class)
                .hasMessage(message)
                .extracting(e -> ((SpecException) e).field()).isEqualTo(field);
    }

    @Test
    void validate_rejectsMissingFieldsAndMoreUnitsThanRows() throws Exception {
        assertThatThrownBy(() -> app.validate(json("{\"width\":10}"), 1))
                .isInstanceOf(SpecException.class).hasMessage("input.height is required");
        app.validate(json(VIEW), 240);
        assertThatThrownBy(() -> app.validate(json(VIEW), 241))
                .isInstanceOf(SpecException.class)
                .hasMessage("workUnits (241) must not exceed input.height (240)")
                .extracting(e -> ((SpecException) e).field()).isEqualTo("workUnits");
    }

    /** The chunk types in order, checking each chunk's CRC. */
    private static List<String> chunkTypes(byte[] png) {
        List<String> types = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(png, 8, png.length - 8);
        while (in.hasRemaining()) {
            int length = in.getInt();
            int start = in.position();
            String type = new String(png, start, 4, StandardCharsets.US_ASCII);
            CRC32 crc = new CRC32();
            crc.update(png, start, 4 + length);
            in.position(start + 4 + length);
            assertThat(in.getInt()).as("CRC of %s", type).isEqualTo((int) crc.getValue());
            types.add(type);
        }
        return types;
    }
}
