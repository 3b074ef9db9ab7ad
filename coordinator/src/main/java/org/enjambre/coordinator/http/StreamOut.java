package org.enjambre.coordinator.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Streams a blocking {@link InputStream} into a response: each block is read on a worker thread and written on
 * the event loop, the next read waiting while the response's write queue is full, so a file of any size passes
 * through {@link #BLOCK} bytes at a time. The status and headers (with the Content-Length) are set by the caller;
 * a read failure after the first byte resets the connection (the client sees a truncated body, never a wrong one).
 */
final class StreamOut {
    static final int BLOCK = 256 << 10;

    private StreamOut() {
    }

    /** Sends {@code in} (closed at the end) as the rest of {@code response}; call on the response's event loop. */
    static void send(Vertx vertx, HttpServerResponse response, InputStream in) {
        response.closeHandler(v -> close(in));
        next(vertx, response, in);
    }

    private static void next(Vertx vertx, HttpServerResponse response, InputStream in) {
        vertx.executeBlocking(() -> {
            byte[] block = new byte[BLOCK];
            int n = in.readNBytes(block, 0, BLOCK);
            return n == 0 ? null : Buffer.buffer(n == BLOCK ? block : Arrays.copyOf(block, n));
        }, false).onComplete(r -> {
            if (response.closed()) {
                close(in);
            } else if (r.failed()) {
                close(in);
                response.reset();
            } else if (r.result() == null) {
                close(in);
                response.end();
            } else {
                response.write(r.result());
                if (response.writeQueueFull()) {
                    response.drainHandler(v -> {
                        response.drainHandler(null); // once: a later drain must not start a second reader
                        next(vertx, response, in);
                    });
                } else {
                    next(vertx, response, in);
                }
            }
        });
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // nothing to do: the response is over
        }
    }
}
