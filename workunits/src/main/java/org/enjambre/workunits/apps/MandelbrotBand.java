package org.enjambre.workunits.apps;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The output of one mandelbrot unit: the escape-iteration counts of a band of rows, run-length
 * encoded, in one canonical byte form so that equal bands are equal bytes.
 *
 * <pre>
 *   'M' 'B' 1                                   magic and version
 *   varint width, rowFrom, rowTo, maxIterations header
 *   per row: (varint length >= 1, varint count &lt;= maxIterations)...
 *            runs covering exactly width pixels, neighbours with different counts
 * </pre>
 * Varints are unsigned LEB128 in their shortest form.
 */
final class MandelbrotBand {
    static final int MAX_SIDE = 8192;
    static final int MAX_ITERATIONS = 100_000;
    private static final byte[] MAGIC = {'M', 'B', 1};

    /** The band's shape, as its header says. */
    record Header(int width, int rowFrom, int rowTo, int maxIterations) {
        int rows() {
            return rowTo - rowFrom;
        }
    }

    /** Receives decoded rows; {@code counts} is reused between calls. */
    interface RowSink {
        void row(int row, int[] counts) throws Exception;
    }

    /** Thrown for bytes that are not a canonical band. */
    static final class MalformedBandException extends Exception {
        MalformedBandException(String message) {
            super(message);
        }
    }

    private MandelbrotBand() {
    }

    /** Appends rows to a band; {@link #bytes()} is the band so far (header and complete rows). */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer(Header header) {
            out.writeBytes(MAGIC);
            varint(header.width());
            varint(header.rowFrom());
            varint(header.rowTo());
            varint(header.maxIterations());
        }

        /** Continues a band from its first complete rows, as {@link #bytes()} returned them. */
        Writer(byte[] prefix) {
            out.writeBytes(prefix);
        }

        void row(int[] counts) {
            int i = 0;
            while (i < counts.length) {
                int j = i + 1;
                while (j < counts.length && counts[j] == counts[i]) {
                    j++;
                }
                varint(j - i);
                varint(counts[i]);
                i = j;
            }
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private void varint(int value) {
            int v = value;
            while ((v & ~0x7F) != 0) {
                out.write((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write(v);
        }
    }

    /**
     * Decodes a band, handing each row to {@code sink} (which may be null) and returning its header.
     * With {@code partial}, the band may stop after any complete row, and {@code rowsDone} (a
     * one-element array) receives how many rows it holds.
     */
    static Header decode(byte[] bytes, RowSink sink, boolean partial, int[] rowsDone) throws Exception {
        Reader in = new Reader(bytes);
        for (byte b : MAGIC) {
            if (in.atEnd() || in.next() != b) {
                throw new MalformedBandException("not a mandelbrot band (bad magic)");
            }
        }
        Header h = new Header(in.varint(), in.varint(), in.varint(), in.varint());
        if (h.width() < 1 || h.width() > MAX_SIDE || h.rowFrom() >= h.rowTo() || h.rowTo() > MAX_SIDE
                || h.maxIterations() < 1 || h.maxIterations() > MAX_ITERATIONS) {
            throw new MalformedBandException("band header out of bounds: " + h);
        }
        int[] counts = sink == null ? null : new int[h.width()];
        int rows = 0;
        while (rows < h.rows() && !(partial && in.atEnd())) {
            int filled = 0;
            int previous = -1;
            while (filled < h.width()) {
                int length = in.varint();
                int count = in.varint();
                if (length < 1 || length > h.width() - filled) {
                    throw new MalformedBandException("row " + (h.rowFrom() + rows) + " has a run of bad length " + length);
                }
                if (count > h.maxIterations() || count == previous) {
                    throw new MalformedBandException("row " + (h.rowFrom() + rows) + " has a bad run value " + count);
                }
                if (counts != null) {
                    Arrays.fill(counts, filled, filled + length, count);
                }
                filled += length;
                previous = count;
            }
            if (sink != null) {
                sink.row(h.rowFrom() + rows, counts);
            }
            rows++;
        }
        if (!in.atEnd()) {
            throw new MalformedBandException("trailing bytes after " + rows + " rows");
        }
        if (rowsDone != null) {
            rowsDone[0] = rows;
        }
        return h;
    }

    /** Whether {@code bytes} is a complete canonical band. Never throws. */
    static boolean wellFormed(byte[] bytes) {
        if (bytes == null) {
            return false;
        }
        try {
            decode(bytes, null, false, null);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static final class Reader {
        private final byte[] bytes;
        private int position;

        Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        boolean atEnd() {
            return position >= bytes.length;
        }

        byte next() throws MalformedBandException {
            if (atEnd()) {
                throw new MalformedBandException("band ends early");
            }
            return bytes[position++];
        }

        /** A shortest-form varint of at most 31 bits. */
        int varint() throws MalformedBandException {
            int value = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                int b = next() & 0xFF;
                if (shift == 28 && b > 0x07) {
                    throw new MalformedBandException("varint too large");
                }
                value |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    if (b == 0 && shift > 0) {
                        throw new MalformedBandException("varint not in shortest form");
                    }
                    return value;
                }
            }
            throw new MalformedBandException("varint too long");
        }
    }
}
