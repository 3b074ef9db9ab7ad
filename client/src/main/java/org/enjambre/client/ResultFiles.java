package org.enjambre.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Streaming a result's body into a file without holding it in memory; a failed download leaves no file behind. */
final class ResultFiles {
    private ResultFiles() {
    }

    /** Saves the answer's body into {@code file} (replacing it); a failed read is the connection's, a failed write the file's. */
    static SavedResult save(Transport.Answer a, Path file, Transport transport) {
        return save(a, file, transport, null, done -> { });
    }

    /**
     * As {@link #save(Transport.Answer, Path, Transport)}, checking the bytes against {@code check} as they pass (when
     * not null; a mismatch fails the download and deletes the file) and telling {@code progress} the bytes so far.
     */
    static SavedResult save(Transport.Answer a, Path file, Transport transport, ResultCheck check, java.util.function.LongConsumer progress) {
        try (InputStream in = a.body()) {
            OutputStream out;
            try {
                out = Files.newOutputStream(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
            }
            boolean saved = false;
            try (out) {
                long size = copy(in, out, transport, check, progress);
                if (check != null) {
                    check.finish();
                }
                saved = true;
                return new SavedResult(a.contentType(), size, file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
            } finally {
                if (!saved) {
                    deleteQuietly(file);
                }
            }
        } catch (IOException e) {
            throw transport.broken(e);
        }
    }

    /** Copies the body into the file: a failed read is the connection's ({@link ConnectionFailedException}), a failed write the file's. */
    private static long copy(InputStream in, OutputStream out, Transport transport, ResultCheck check,
                             java.util.function.LongConsumer progress) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long size = 0;
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException e) {
                throw transport.broken(e);
            }
            if (n < 0) {
                return size;
            }
            if (check != null) {
                check.update(buffer, n);
            }
            out.write(buffer, 0, n);
            size += n;
            progress.accept(size);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // the download failed already; that error is the one to report
        }
    }
}
