package org.enjambre.workunits.wasm;

import com.dylibso.chicory.runtime.Memory;
import org.enjambre.workunits.app.InputFiles;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * One run's view of its unit's input files, behind {@code enjambre.file_count}, {@code file_size} and
 * {@code file_read} (docs/wasm-abi.md): files numbered 0 .. n-1 in the unit's order, read by range through
 * {@link InputFiles}, never whole. A read that continues where the previous read of the same file ended goes on
 * with the same open stream; any other offset reopens the file there (a host with chunked files starts at the
 * chunk holding it). What a read returns depends only on the files' bytes and its arguments, never on how the
 * host's streams split their reads, so every worker gives the module the same bytes.
 *
 * <p>Used by the module's one thread; {@link #close()} after the run.
 */
final class FileHost implements AutoCloseable {
    /** Bytes copied into the module's memory per step: what the host holds at once per read. */
    static final int COPY_BYTES = 1 << 20;

    private final List<String> ids;
    private final InputFiles files;
    private final long[] sizes;
    private final InputStream[] open;
    /** Where the next byte of {@code open[i]} is in file i. */
    private final long[] positions;
    private byte[] buffer;

    FileHost(List<String> ids, InputFiles files) {
        this.ids = List.copyOf(ids);
        this.files = files;
        this.sizes = new long[ids.size()];
        java.util.Arrays.fill(sizes, -1);
        this.open = new InputStream[ids.size()];
        this.positions = new long[ids.size()];
    }

    /** {@code file_count()}: how many files the unit reads. */
    int count() {
        return ids.size();
    }

    /** {@code file_size(file)}: the file's size in bytes. */
    long size(int file) throws WasmException {
        check(file, Abi.FILE_SIZE + "(" + file + ")");
        if (sizes[file] < 0) {
            try {
                sizes[file] = files.size(ids.get(file));
            } catch (IOException e) {
                throw unreadable(file, e);
            }
        }
        return sizes[file];
    }

    /**
     * {@code file_read(file, offset, ptr, len)}: copies min(len, size - offset) bytes of the file from {@code offset}
     * to the module's memory at {@code ptr} and returns that count (0 at the end). {@code ptr} and {@code len} are
     * unsigned; the whole of {@code [ptr, ptr + len)} must lie in memory, and {@code 0 ≤ offset ≤ size}.
     */
    int read(int file, long offset, int ptr, int len, Memory memory) throws WasmException {
        String call = Abi.FILE_READ + "(" + file + ", " + offset + ", " + Integer.toUnsignedLong(ptr) + ", "
                + Integer.toUnsignedLong(len) + ")";
        check(file, call);
        long size = size(file);
        if (offset < 0 || offset > size) {
            throw new WasmException(WasmException.Kind.ABI_VIOLATION, "module called " + call + " with an offset outside"
                    + " file " + file + ", which has " + size + " bytes");
        }
        long memoryBytes = (long) memory.pages() * WasmLimits.PAGE_BYTES;
        if (Integer.toUnsignedLong(ptr) + Integer.toUnsignedLong(len) > memoryBytes) {
            throw new WasmException(WasmException.Kind.ABI_VIOLATION, "module called " + call + " with a buffer outside"
                    + " its memory of " + memoryBytes + " bytes");
        }
        long want = Math.min(Integer.toUnsignedLong(len), size - offset);
        if (want == 0) {
            return 0; // nothing to open or fetch
        }
        try {
            InputStream in = at(file, offset);
            for (long done = 0; done < want; ) {
                int step = (int) Math.min(want - done, COPY_BYTES);
                if (buffer == null || buffer.length < step) {
                    buffer = new byte[(int) Math.min(COPY_BYTES, Math.max(step, 64 << 10))];
                }
                int n = in.readNBytes(buffer, 0, step);
                if (n < step) {
                    throw new EOFException("the file ended " + (want - done - n) + " bytes before its size");
                }
                memory.write((int) (Integer.toUnsignedLong(ptr) + done), buffer, 0, n);
                done += n;
                positions[file] += n;
            }
        } catch (IOException e) {
            closeQuietly(file);
            throw unreadable(file, e);
        }
        return (int) want;
    }

    /** The open stream of {@code file}, positioned at {@code offset}. */
    private InputStream at(int file, long offset) throws IOException {
        if (open[file] == null || positions[file] != offset) {
            closeQuietly(file);
            open[file] = files.open(ids.get(file), offset);
            positions[file] = offset;
        }
        return open[file];
    }

    private void check(int file, String call) throws WasmException {
        if (file < 0 || file >= ids.size()) {
            throw new WasmException(WasmException.Kind.ABI_VIOLATION, "module called " + call + ", but the unit has "
                    + (ids.isEmpty() ? "no files" : ids.size() + (ids.size() == 1 ? " file (number 0)"
                    : " files (numbers 0 to " + (ids.size() - 1) + ")")));
        }
    }

    private WasmException unreadable(int file, IOException e) {
        return new WasmException(WasmException.Kind.FILE_UNREADABLE, "input file " + file + " (" + ids.get(file)
                + ") could not be read: " + e.getMessage(), e);
    }

    private void closeQuietly(int file) {
        if (open[file] != null) {
            try {
                open[file].close();
            } catch (IOException ignored) {
                // a read-only stream: nothing was lost
            }
            open[file] = null;
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < open.length; i++) {
            closeQuietly(i);
        }
    }
}
