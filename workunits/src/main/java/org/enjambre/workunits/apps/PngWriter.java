package org.enjambre.workunits.apps;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes an 8-bit indexed-colour PNG row by row, deterministically: no filters, a fixed deflate
 * level, rows fed to the compressor one at a time, and IDAT chunks of a fixed size. The same rows
 * give the same bytes however they arrive. Not thread-safe; {@link #finish()} once.
 */
final class PngWriter {
    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final int LEVEL = 6;
    private static final int IDAT_SIZE = 1 << 16;

    private final int width;
    private final int height;
    private final byte[] palette;
    private final Deflater deflater = new Deflater(LEVEL);
    private final ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    private final byte[] buffer = new byte[1 << 14];
    private int rows;

    /** A writer for a {@code width} × {@code height} image; {@code palette} holds 1 to 256 RGB triples. */
    PngWriter(int width, int height, byte[] palette) {
        if (width < 1 || height < 1 || palette.length == 0 || palette.length % 3 != 0 || palette.length > 3 * 256) {
            throw new IllegalArgumentException("bad PNG shape " + width + "x" + height + " or palette of " + palette.length + " bytes");
        }
        this.width = width;
        this.height = height;
        this.palette = palette.clone();
    }

    /** Adds the next row of palette indices, top to bottom. */
    void row(byte[] indices) {
        if (indices.length != width) {
            throw new IllegalArgumentException("row of " + indices.length + " pixels in an image " + width + " wide");
        }
        if (rows == height) {
            throw new IllegalStateException("all " + height + " rows were written");
        }
        byte[] scanline = new byte[width + 1];   // filter type 0: none
        System.arraycopy(indices, 0, scanline, 1, width);
        deflater.setInput(scanline);
        while (!deflater.needsInput()) {
            compressed.write(buffer, 0, deflater.deflate(buffer));
        }
        rows++;
    }

    /** The PNG file, once every row was written. */
    byte[] finish() {
        if (rows != height) {
            throw new IllegalStateException("only " + rows + " of " + height + " rows were written");
        }
        deflater.finish();
        while (!deflater.finished()) {
            compressed.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        byte[] data = compressed.toByteArray();

        ByteArrayOutputStream png = new ByteArrayOutputStream(data.length + 1024);
        png.writeBytes(SIGNATURE);
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, width);
        putInt(ihdr, 4, height);
        ihdr[8] = 8;    // bit depth
        ihdr[9] = 3;    // colour type: indexed
        // compression 0 (deflate), filter method 0, interlace 0 (none)
        chunk(png, "IHDR", ihdr, 0, ihdr.length);
        chunk(png, "PLTE", palette, 0, palette.length);
        for (int offset = 0; offset < data.length; offset += IDAT_SIZE) {
            chunk(png, "IDAT", data, offset, Math.min(IDAT_SIZE, data.length - offset));
        }
        chunk(png, "IEND", new byte[0], 0, 0);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data, int offset, int length) {
        byte[] header = new byte[8];
        putInt(header, 0, length);
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, header, 4, 4);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data, offset, length);
        byte[] trailer = new byte[4];
        putInt(trailer, 0, (int) crc.getValue());
        out.writeBytes(header);
        out.write(data, offset, length);
        out.writeBytes(trailer);
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
