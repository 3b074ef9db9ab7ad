package org.enjambre.workunits.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.spec.JobSpecParser;
import org.enjambre.workunits.spec.SpecException;

import java.util.Optional;
import java.util.Set;

/**
 * Renders the Mandelbrot set as a PNG: input {@code {width, height, xMin, xMax, yMin, yMax,
 * maxIterations}}, result an {@code image/png} of width × height pixels, row 0 at {@code yMax}.
 * Each unit computes the escape-iteration counts of a horizontal band of rows at pixel centres with
 * plain double arithmetic (the same bits on every JVM) and outputs them as a {@link MandelbrotBand};
 * the merger colours them with a fixed palette and writes the PNG.
 *
 * <p>A unit checkpoints its band so far (whole rows) when the host asks, between rows.
 */
public final class MandelbrotApp implements App {
    /** The largest width and height. */
    public static final int MAX_SIDE = MandelbrotBand.MAX_SIDE;
    /** The largest {@code maxIterations}. */
    public static final int MAX_ITERATIONS = MandelbrotBand.MAX_ITERATIONS;
    /** Pixel iterations per unit by default (at most; a unit is at least one row). */
    public static final long DEFAULT_UNIT_ITERATIONS = 100_000_000;
    public static final String PNG = "image/png";

    /** Roughly the seconds one core spends per pixel iteration (measured); most pixels stop early. */
    private static final double SECONDS_PER_ITERATION = 1e-9;
    /**
     * Seconds per pixel iteration when no pixel escapes (the worst case), measured on the reference
     * machine: 512² pixels inside the set × 2,000 iterations took 2.4–5.2 s (three runs, machine shared).
     */
    static final double WORST_SECONDS_PER_ITERATION = 1e-8;
    /** Pixel iterations between two cancellation checks inside a row. */
    private static final long CHECK_EVERY = 1 << 24;
    /** Colours cycle every this many iterations; points that never escape are black. */
    private static final int CYCLE = 64;
    private static final byte[] PALETTE = palette();
    private static final Set<String> FIELDS =
            Set.of("width", "height", "xMin", "xMax", "yMin", "yMax", "maxIterations");

    /** A validated view of the plane. */
    private record View(int width, int height, double xMin, double xMax, double yMin, double yMax, int maxIterations) {
        static View of(JsonNode input) {
            return new View(input.get("width").intValue(), input.get("height").intValue(),
                    input.get("xMin").doubleValue(), input.get("xMax").doubleValue(),
                    input.get("yMin").doubleValue(), input.get("yMax").doubleValue(),
                    input.get("maxIterations").intValue());
        }

        LongRange band(int workUnits, int index) {
            return new LongRange(0, height).split(workUnits, index);
        }
    }

    @Override
    public String name() {
        return "mandelbrot";
    }

    @Override
    public void validate(JsonNode input, int workUnits) throws SpecException {
        JobSpecParser.inputFields(input, FIELDS);
        intField(input, "width", 1, MAX_SIDE);
        long height = intField(input, "height", 1, MAX_SIDE);
        double xMin = JobSpecParser.inputDouble(input, "xMin");
        double xMax = JobSpecParser.inputDouble(input, "xMax");
        double yMin = JobSpecParser.inputDouble(input, "yMin");
        double yMax = JobSpecParser.inputDouble(input, "yMax");
        if (!(xMax > xMin)) {
            throw new SpecException("input.xMax", "input.xMax must be greater than input.xMin");
        }
        if (!Double.isFinite(xMax - xMin)) {
            throw new SpecException("input.xMax", "input.xMax - input.xMin must be a finite number");
        }
        if (!(yMax > yMin)) {
            throw new SpecException("input.yMax", "input.yMax must be greater than input.yMin");
        }
        if (!Double.isFinite(yMax - yMin)) {
            throw new SpecException("input.yMax", "input.yMax - input.yMin must be a finite number");
        }
        intField(input, "maxIterations", 1, MAX_ITERATIONS);
        if (workUnits > height) {
            throw new SpecException("workUnits", "workUnits (" + workUnits + ") must not exceed input.height (" + height + ")");
        }
    }

    private static long intField(JsonNode input, String field, int min, int max) throws SpecException {
        long v = JobSpecParser.inputLong(input, field);
        if (v < min || v > max) {
            throw new SpecException("input." + field, "input." + field + " (" + v + ") must be between " + min + " and " + max);
        }
        return v;
    }

    @Override
    public int defaultWorkUnits(JsonNode input) {
        View view = View.of(input);
        long work = (long) view.width() * view.height() * view.maxIterations();
        long units = (work + DEFAULT_UNIT_ITERATIONS - 1) / DEFAULT_UNIT_ITERATIONS;
        return (int) Math.max(1, Math.min(view.height(), units));
    }

    @Override
    public byte[] unitInput(JsonNode input, int workUnits, int index) {
        View view = View.of(input);
        LongRange band = view.band(workUnits, index);
        ObjectNode unit = Json.object();
        unit.put("width", view.width());
        unit.put("height", view.height());
        // Hexadecimal floating point is exact and printed the same by every JVM.
        unit.put("xMin", Double.toHexString(view.xMin()));
        unit.put("xMax", Double.toHexString(view.xMax()));
        unit.put("yMin", Double.toHexString(view.yMin()));
        unit.put("yMax", Double.toHexString(view.yMax()));
        unit.put("maxIterations", view.maxIterations());
        unit.put("rowFrom", band.from());
        unit.put("rowTo", band.to());
        return Json.bytes(unit);
    }

    @Override
    public double cost(JsonNode input, int workUnits, int index) {
        View view = View.of(input);
        return (double) view.band(workUnits, index).size() * view.width() * view.maxIterations() * SECONDS_PER_ITERATION;
    }

    @Override
    public double maxUnitSeconds(JsonNode input, int workUnits) {
        View view = View.of(input);
        // The first band is the tallest (bands differ by one row at most).
        return (double) view.band(workUnits, 0).size() * view.width() * view.maxIterations() * WORST_SECONDS_PER_ITERATION;
    }

    @Override
    public byte[] run(byte[] unitInput, RunContext context) throws Exception {
        JsonNode unit = Json.unitInput(unitInput, name());
        View view = parseUnitView(unit);
        int rowFrom = unitInt(unit, "rowFrom", 0, view.height() - 1);
        int rowTo = unitInt(unit, "rowTo", rowFrom + 1, view.height());
        MandelbrotBand.Header header = new MandelbrotBand.Header(view.width(), rowFrom, rowTo, view.maxIterations());

        MandelbrotBand.Writer band = new MandelbrotBand.Writer(header);
        int row = rowFrom;
        Optional<byte[]> saved = context.restore();
        if (saved.isPresent()) {
            int[] done = {0};
            try {
                if (MandelbrotBand.decode(saved.get(), null, true, done).equals(header)) {
                    band = new MandelbrotBand.Writer(saved.get());
                    row = rowFrom + done[0];
                }
            } catch (MandelbrotBand.MalformedBandException e) {
                // not a checkpoint of this band: start over
            }
        }

        double dx = (view.xMax() - view.xMin()) / view.width();
        double dy = (view.yMax() - view.yMin()) / view.height();
        int[] counts = new int[view.width()];
        long budget = CHECK_EVERY;
        for (; row < rowTo; row++) {
            context.checkCancelled();
            double ci = view.yMax() - (row + 0.5) * dy;
            for (int col = 0; col < view.width(); col++) {
                double cr = view.xMin() + (col + 0.5) * dx;
                int n = escape(cr, ci, view.maxIterations());
                counts[col] = n;
                budget -= n + 1;
                if (budget < 0) {
                    context.checkCancelled();
                    budget = CHECK_EVERY;
                }
            }
            band.row(counts);
            if (row + 1 < rowTo) {
                context.progress((double) (row + 1 - rowFrom) / (rowTo - rowFrom));
                if (context.timeToCheckpoint()) {
                    context.checkpoint(band.bytes());
                }
            }
        }
        context.progress(1.0);
        return band.bytes();
    }

    /** Iterations of z → z² + c from 0 before |z| > 2, at most {@code max}. */
    static int escape(double cr, double ci, int max) {
        double zr = 0;
        double zi = 0;
        int n = 0;
        while (n < max) {
            double zr2 = zr * zr;
            double zi2 = zi * zi;
            if (zr2 + zi2 > 4.0) {
                break;
            }
            zi = 2 * zr * zi + ci;
            zr = zr2 - zi2 + cr;
            n++;
        }
        return n;
    }

    private static View parseUnitView(JsonNode unit) {
        View view = new View(unitInt(unit, "width", 1, MAX_SIDE), unitInt(unit, "height", 1, MAX_SIDE),
                unitDouble(unit, "xMin"), unitDouble(unit, "xMax"), unitDouble(unit, "yMin"), unitDouble(unit, "yMax"),
                unitInt(unit, "maxIterations", 1, MAX_ITERATIONS));
        if (!(view.xMax() > view.xMin()) || !(view.yMax() > view.yMin())) {
            throw new IllegalArgumentException("mandelbrot unit input has an empty view");
        }
        return view;
    }

    private static int unitInt(JsonNode unit, String field, int min, int max) {
        JsonNode v = unit.get(field);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() < min || v.intValue() > max) {
            throw new IllegalArgumentException("mandelbrot unit input " + field + " must be an integer from " + min + " to " + max);
        }
        return v.intValue();
    }

    private static double unitDouble(JsonNode unit, String field) {
        JsonNode v = unit.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("mandelbrot unit input " + field + " must be a hexadecimal double");
        }
        double d;
        try {
            d = Double.parseDouble(v.textValue());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mandelbrot unit input " + field + " must be a hexadecimal double", e);
        }
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("mandelbrot unit input " + field + " must be finite");
        }
        return d;
    }

    /** Accepts exactly a canonical {@link MandelbrotBand}: header, whole rows, no trailing bytes. */
    @Override
    public boolean wellFormed(byte[] output) {
        return MandelbrotBand.wellFormed(output);
    }

    @Override
    public Merger merger(JsonNode input, int workUnits) {
        View view = View.of(input);
        return new Merger() {
            private final PngWriter png = new PngWriter(view.width(), view.height(), PALETTE);
            private final byte[] pixels = new byte[view.width()];
            private int next;

            @Override
            public void accept(int index, byte[] output) throws Exception {
                if (index != next || index >= workUnits) {
                    throw new IllegalStateException("expected unit " + next + " of " + workUnits + ", got " + index);
                }
                LongRange rows = view.band(workUnits, index);
                MandelbrotBand.Header expected = new MandelbrotBand.Header(
                        view.width(), (int) rows.from(), (int) rows.to(), view.maxIterations());
                MandelbrotBand.Header actual = MandelbrotBand.decode(output, null, false, null);
                if (!actual.equals(expected)) {
                    throw new IllegalArgumentException("unit " + index + " output is band " + actual + ", expected " + expected);
                }
                MandelbrotBand.decode(output, (row, counts) -> {
                    for (int i = 0; i < counts.length; i++) {
                        pixels[i] = colour(counts[i], view.maxIterations());
                    }
                    png.row(pixels);
                }, false, null);
                next++;
            }

            @Override
            public MergedResult finish() {
                if (next != workUnits) {
                    throw new IllegalStateException("only " + next + " of " + workUnits + " units were merged");
                }
                return new MergedResult(PNG, png.finish());
            }
        };
    }

    /**
     * A PNG of the image as far as it is computed, for a live view: the bands that {@code bandOutput}
     * returns (canonical outputs of finished units) are drawn, the others are grey.
     */
    public byte[] preview(JsonNode input, int workUnits, java.util.function.IntFunction<byte[]> bandOutput) throws Exception {
        View view = View.of(input);
        byte[] palette = java.util.Arrays.copyOf(PALETTE, PALETTE.length + 3);
        byte pending = (byte) (PALETTE.length / 3);
        palette[PALETTE.length] = palette[PALETTE.length + 1] = palette[PALETTE.length + 2] = (byte) 0x9a;
        PngWriter png = new PngWriter(view.width(), view.height(), palette);
        byte[] pixels = new byte[view.width()];
        for (int index = 0; index < workUnits; index++) {
            LongRange rows = view.band(workUnits, index);
            byte[] output = bandOutput.apply(index);
            MandelbrotBand.Header expected = new MandelbrotBand.Header(
                    view.width(), (int) rows.from(), (int) rows.to(), view.maxIterations());
            if (output != null && MandelbrotBand.wellFormed(output)
                    && MandelbrotBand.decode(output, null, false, null).equals(expected)) {
                MandelbrotBand.decode(output, (row, counts) -> {
                    for (int i = 0; i < counts.length; i++) {
                        pixels[i] = colour(counts[i], view.maxIterations());
                    }
                    png.row(pixels);
                }, false, null);
            } else {
                java.util.Arrays.fill(pixels, pending);
                for (long r = rows.from(); r < rows.to(); r++) {
                    png.row(pixels);
                }
            }
        }
        return png.finish();
    }

    /** The palette index of a pixel: 0 (black) inside the set, else a colour cycling with the count. */
    static byte colour(int count, int maxIterations) {
        return (byte) (count >= maxIterations ? 0 : 1 + count % CYCLE);
    }

    /** Black, then a cyclic gradient of {@link #CYCLE} colours: deep blue, sky, white, orange, dark. */
    private static byte[] palette() {
        int[] stops = {0, 10, 27, 41, 55, CYCLE};
        int[][] rgb = {{0, 7, 100}, {32, 107, 203}, {237, 255, 255}, {255, 170, 0}, {0, 2, 0}, {0, 7, 100}};
        byte[] palette = new byte[3 * (CYCLE + 1)];
        for (int i = 0; i < CYCLE; i++) {
            int s = 0;
            while (stops[s + 1] <= i) {
                s++;
            }
            int span = stops[s + 1] - stops[s];
            int t = i - stops[s];
            for (int c = 0; c < 3; c++) {
                palette[3 * (i + 1) + c] = (byte) (rgb[s][c] + (rgb[s + 1][c] - rgb[s][c]) * t / span);
            }
        }
        return palette;
    }
}
