package org.enjambre.coordinator.data;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** At most {@code left} bytes of a stream (a chunk's range, a range of a result). */
public final class BoundedStream extends FilterInputStream {
    private long left;

    public BoundedStream(InputStream in, long left) {
        super(in);
        this.left = left;
    }

    @Override
    public int read() throws IOException {
        if (left <= 0) {
            return -1;
        }
        int b = super.read();
        if (b >= 0) {
            left--;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) {
            return -1;
        }
        int n = super.read(b, off, (int) Math.min(len, left));
        if (n > 0) {
            left -= n;
        }
        return n;
    }
}
