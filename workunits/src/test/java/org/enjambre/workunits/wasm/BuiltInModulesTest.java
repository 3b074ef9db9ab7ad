package org.enjambre.workunits.wasm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.apps.CollatzApp;
import org.enjambre.workunits.apps.MandelbrotApp;
import org.enjambre.workunits.apps.PrimesApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The built-in apps' WebAssembly twins give, for the same unit input bytes, exactly the output bytes of
 * the Java apps: over fixed edge cases and many random ranges, run on the JVM with Chicory (the same
 * bytes a browser's engine computes, since the modules use only deterministic integer arithmetic).
 */
class BuiltInModulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final WasmRunner RUNNER = new WasmRunner();
    private static final long SEED = 18L;

    private static byte[] module(String app) {
        BuiltInModules.Module m = BuiltInModules.all().get(app);
        assertThat(m).as("the build compiled src/main/wat/%s.wat into the jar", app).isNotNull();
        return m.bytes();
    }

    /** Runs one unit of {@code workUnits} of a job on both, asserting equal bytes; returns the output. */
    private static String assertSame(App app, String input, int workUnits, int index) throws Exception {
        JsonNode in = JSON.readTree(input);
        app.validate(in, workUnits);
        byte[] unit = app.unitInput(in, workUnits, index);
        byte[] expected = app.run(unit, RunContext.inMemory());
        byte[] actual = RUNNER.run(module(app.name()), unit);
        assertThat(new String(actual, StandardCharsets.UTF_8)).as("%s unit %s", app.name(),
                new String(unit, StandardCharsets.UTF_8)).isEqualTo(new String(expected, StandardCharsets.UTF_8));
        assertThat(actual).isEqualTo(expected);
        return new String(actual, StandardCharsets.UTF_8);
    }

    private static String range(long from, long to) {
        return "{\"from\":" + from + ",\"to\":" + to + "}";
    }

    @Test
    void all_holdsOneModulePerApp_namedByItsSha256() {
        assertThat(BuiltInModules.all()).containsOnlyKeys("primes", "collatz", "mandelbrot");
        BuiltInModules.all().values().forEach(m -> {
            assertThat(m.sha256()).isEqualTo(WasmModules.sha256(m.bytes()));
            assertThat(BuiltInModules.bySha256(m.sha256())).contains(m);
        });
        assertThat(BuiltInModules.bySha256("0".repeat(64))).isEmpty();
    }

    @Test
    void modules_passTheUploadChecks() throws Exception {
        for (BuiltInModules.Module m : BuiltInModules.all().values()) {
            assertThat(WasmModules.validate(m.bytes()).sha256()).isEqualTo(m.sha256());
        }
    }

    @ParameterizedTest
    @CsvSource({
            "0, 1000000, {\"count\":78498}", "2, 1000000, {\"count\":78498}", "0, 1, {\"count\":0}",
            "0, 2, {\"count\":0}", "0, 3, {\"count\":1}", "2, 3, {\"count\":1}", "3, 4, {\"count\":1}",
            "4, 5, {\"count\":0}", "1, 2, {\"count\":0}", "24, 29, {\"count\":0}", "1328, 1361, {\"count\":0}",
            "9999999999900, 10000000000000, {\"count\":1}", "1000000, 2000000, {\"count\":70435}"})
    void primes_edgeCases_sameBytesAsJava(long from, long to, String expected) throws Exception {
        assertThat(assertSame(new PrimesApp(), range(from, to), 1, 0)).isEqualTo(expected);
    }

    @Test
    void primes_randomRanges_sameBytesAsJava() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED);
        PrimesApp app = new PrimesApp();
        for (int i = 0; i < 150; i++) {
            long from = (long) Math.pow(10, random.nextDouble(0, 12.99));
            long size = 1 + (long) Math.pow(10, random.nextDouble(0, 5.5));
            long to = Math.min(PrimesApp.MAX_TO, from + size);
            if (to <= from) {
                continue;
            }
            int units = (int) Math.min(to - from, 1 + random.nextInt(8));
            assertSame(app, range(from, to), units, random.nextInt(units));
        }
    }

    @Test
    void primes_resumedFromACheckpoint_sameBytes() throws Exception {
        byte[] unit = "{\"from\":100,\"to\":3000000}".getBytes(StandardCharsets.UTF_8);
        RunContext.InMemory context = RunContext.inMemory().cancelAfterCheckpoints(2);
        assertThatThrownBy(() -> RUNNER.run(module("primes"), unit, context))
                .isInstanceOf(RunContext.CancelledException.class);
        byte[] resumed = RUNNER.run(module("primes"), unit, context.resume());
        assertThat(new String(resumed, StandardCharsets.UTF_8))
                .isEqualTo(new String(new PrimesApp().run(unit, RunContext.inMemory()), StandardCharsets.UTF_8));
        assertThat(context.checkpoints()).as("the resumed run went on from the second checkpoint").isLessThan(12);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"from\":2,\"to\":2}", "{\"to\":3,\"from\":2}", "{\"from\":02,\"to\":3}",
            "{\"from\":2,\"to\":3} ", "{\"from\":-1,\"to\":3}", "{\"from\":2,\"to\":10000000000001}",
            "{\"from\":2,\"to\":3", ""})
    void primes_inputTheJavaAppRefuses_trapsToo(String input) {
        byte[] unit = input.getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> new PrimesApp().run(unit, RunContext.inMemory())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RUNNER.run(module("primes"), unit)).isInstanceOf(WasmException.class)
                .hasMessageContaining("trapped");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1 | 2 | {\"maxSteps\":0,\"argmax\":1}", "1 | 1000000 | {\"maxSteps\":524,\"argmax\":837799}",
            "2 | 3 | {\"maxSteps\":1,\"argmax\":2}", "27 | 28 | {\"maxSteps\":111,\"argmax\":27}",
            "8528817511 | 8528817512 | {\"maxSteps\":726,\"argmax\":8528817511}",
            "8528817400 | 8528817600 | {\"maxSteps\":726,\"argmax\":8528817511}",
            "871673828440 | 871673828450 | ",
            "999999999000 | 1000000000000 | "})
    void collatz_edgeCasesAndLongChains_sameBytesAsJava(long from, long to, String expected) throws Exception {
        String actual = assertSame(new CollatzApp(), range(from, to), 1, 0);
        if (expected != null) {
            assertThat(actual).isEqualTo(expected);
        }
    }

    @Test
    void collatz_randomRanges_sameBytesAsJava() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED);
        CollatzApp app = new CollatzApp();
        for (int i = 0; i < 150; i++) {
            long from = Math.max(1, (long) Math.pow(10, random.nextDouble(0, 11.99)));
            long size = 1 + (long) Math.pow(10, random.nextDouble(0, 4.5));
            long to = Math.min(CollatzApp.MAX_TO, from + size);
            int units = (int) Math.min(to - from, 1 + random.nextInt(8));
            assertSame(app, range(from, to), units, random.nextInt(units));
        }
    }

    @Test
    void collatz_resumedFromACheckpoint_sameBytes() throws Exception {
        byte[] unit = "{\"from\":1,\"to\":600000}".getBytes(StandardCharsets.UTF_8);
        RunContext.InMemory context = RunContext.inMemory().cancelAfterCheckpoints(3);
        assertThatThrownBy(() -> RUNNER.run(module("collatz"), unit, context))
                .isInstanceOf(RunContext.CancelledException.class);
        byte[] resumed = RUNNER.run(module("collatz"), unit, context.resume());
        assertThat(new String(resumed, StandardCharsets.UTF_8))
                .isEqualTo(new String(new CollatzApp().run(unit, RunContext.inMemory()), StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"from\":0,\"to\":3}", "{\"from\":5,\"to\":5}", "{\"from\":1,\"to\":1000000000001}",
            "{\"from\":1, \"to\":3}", "[1,3]"})
    void collatz_inputTheJavaAppRefuses_trapsToo(String input) {
        byte[] unit = input.getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> new CollatzApp().run(unit, RunContext.inMemory())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RUNNER.run(module("collatz"), unit)).isInstanceOf(WasmException.class)
                .hasMessageContaining("trapped");
    }

    private static String view(int width, int height, double xMin, double xMax, double yMin, double yMax, int max) {
        return "{\"width\":" + width + ",\"height\":" + height + ",\"xMin\":" + xMin + ",\"xMax\":" + xMax
                + ",\"yMin\":" + yMin + ",\"yMax\":" + yMax + ",\"maxIterations\":" + max + "}";
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "64 | 48 | -2.5 | 1.0 | -1.25 | 1.25 | 500 | 4",
            "1 | 1 | -0.75 | -0.7499 | 0.1 | 0.1001 | 100000 | 1",
            "200 | 3 | -0.743643887037151 | -0.743643887037141 | 0.13182590420533 | 0.13182590420534 | 3000 | 3",
            "17 | 9 | -0.0 | 4.9E-324 | -4.9E-324 | 2.2250738585072014E-308 | 50 | 9",
            "5 | 5 | -1.0E300 | 1.0E300 | -1.0E300 | 1.0E300 | 10 | 1",
            "33 | 7 | 0.25 | 0.26 | -0.0 | 0.01 | 100000 | 2"})
    void mandelbrot_edgeTiles_sameBytesAsJava(int w, int h, double x0, double x1, double y0, double y1, int max, int units)
            throws Exception {
        for (int unit = 0; unit < units; unit++) {
            assertSame(new MandelbrotApp(), view(w, h, x0, x1, y0, y1, max), units, unit);
        }
    }

    @Test
    void mandelbrot_randomTiles_sameBytesAsJava() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED);
        MandelbrotApp app = new MandelbrotApp();
        for (int i = 0; i < 120; i++) {
            double zoom = Math.pow(10, -random.nextDouble(0, 13));
            double x = random.nextDouble(-2.2, 0.6);
            double y = random.nextDouble(-1.2, 1.2);
            int w = 1 + random.nextInt(120);
            int h = 1 + random.nextInt(60);
            int max = 1 + random.nextInt(random.nextBoolean() ? 100 : 3000);
            int units = 1 + random.nextInt(Math.min(h, 6));
            assertSame(app, view(w, h, x, x + zoom * random.nextDouble(0.1, 3), y, y + zoom * random.nextDouble(0.1, 3), max),
                    units, random.nextInt(units));
        }
    }

    @Test
    void mandelbrot_wholeJobFromModuleOutputs_sameImageAsJavaOnly() throws Exception {
        MandelbrotApp app = new MandelbrotApp();
        JsonNode in = JSON.readTree(view(160, 120, -2.0, 0.75, -1.2, 1.2, 400));
        int units = 7;
        Merger java = app.merger(in, units);
        Merger wasm = app.merger(in, units);
        for (int i = 0; i < units; i++) {
            byte[] unit = app.unitInput(in, units, i);
            java.accept(i, app.run(unit, RunContext.inMemory()));
            wasm.accept(i, RUNNER.run(module("mandelbrot"), unit));
        }
        assertThat(wasm.finish().body()).isEqualTo(java.finish().body());
    }

    @Test
    void mandelbrot_resumedFromACheckpoint_sameBytes() throws Exception {
        MandelbrotApp app = new MandelbrotApp();
        byte[] unit = app.unitInput(JSON.readTree(view(90, 40, -2.0, 0.75, -1.2, 1.2, 300)), 1, 0);
        RunContext.InMemory context = RunContext.inMemory().cancelAfterCheckpoints(5);
        assertThatThrownBy(() -> RUNNER.run(module("mandelbrot"), unit, context))
                .isInstanceOf(RunContext.CancelledException.class);
        byte[] resumed = RUNNER.run(module("mandelbrot"), unit, context.resume());
        assertThat(resumed).isEqualTo(app.run(unit, RunContext.inMemory()));
        assertThat(context.checkpoints()).as("resumed after row 5, not from the start").isLessThan(5 + 39);
    }

    @Test
    void mandelbrot_checkpointOfAnotherBand_startsOver() throws Exception {
        MandelbrotApp app = new MandelbrotApp();
        JsonNode in = JSON.readTree(view(50, 30, -2.0, 0.75, -1.2, 1.2, 200));
        RunContext.InMemory context = RunContext.inMemory().cancelAfterCheckpoints(3);
        assertThatThrownBy(() -> RUNNER.run(module("mandelbrot"), app.unitInput(in, 2, 0), context))
                .isInstanceOf(RunContext.CancelledException.class);
        byte[] other = app.unitInput(in, 2, 1);
        assertThat(RUNNER.run(module("mandelbrot"), other, context.resume())).isEqualTo(app.run(other, RunContext.inMemory()));
    }
}
