package org.enjambre.coordinator.http;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A request body as a blocking {@link InputStream} for a worker thread, fed by the event loop with flow control:
 * the request is paused while more than {@link #HIGH_WATER} bytes wait and resumed when the reader has taken them,
 * so a large upload never sits in memory whole. Invariant: {@code queued} is the sum of the lengths of the
 * buffers in {@code buffers}; every field is guarded by {@code this}.
 */
final class BodyStream extends InputStream {
    static final int HIGH_WATER = 1 << 20;
    /** How long a reader waits for the client to send more before giving up. */
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final HttpServerRequest request;
    private final Context context;
    private final ArrayDeque<Buffer> buffers = new ArrayDeque<>();
    private Buffer current;
    private int position;
    private long queued;
    private boolean paused;
    private boolean ended;
    private Throwable failure;

    private BodyStream(HttpServerRequest request, Context context) {
        this.request = request;
        this.context = context;
    }

    /** Starts reading {@code request} (paused by {@link Bodies#pause()}); call on its event loop. */
    static BodyStream of(HttpServerRequest request, Context context) {
        BodyStream s = new BodyStream(request, context);
        if (request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
            request.response().writeContinue();
        }
        request.handler(s::offer);
        request.endHandler(v -> s.end(null));
        request.exceptionHandler(s::end);
        if (request.isEnded()) {
            s.end(null);
        } else {
            request.resume();
        }
        return s;
    }

    private synchronized void offer(Buffer b) {
        buffers.add(b);
        queued += b.length();
        if (queued > HIGH_WATER && !paused) {
            paused = true;
            request.pause();
        }
        notifyAll();
    }

    private synchronized void end(Throwable t) {
        ended = true;
        failure = t;
        notifyAll();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        long deadline = System.nanoTime() + IDLE_NANOS;
        while (current == null || position >= current.length()) {
            current = buffers.poll();
            position = 0;
            if (current != null) {
                queued -= current.length();
                continue;
            }
            if (failure != null) {
                throw new IOException("the upload broke off: " + failure.getMessage(), failure);
            }
            if (ended) {
                return -1;
            }
            if (paused) {
                paused = false;
                context.runOnContext(v -> request.resume());
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException("the client sent nothing for " + TimeUnit.NANOSECONDS.toSeconds(IDLE_NANOS) + " s");
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading the upload", e);
            }
        }
        int n = Math.min(len, current.length() - position);
        current.getBytes(position, position + n, b, off);
        position += n;
        if (paused && queued < HIGH_WATER / 2) {
            paused = false;
            context.runOnContext(v -> request.resume());
        }
        return n;
    }
}
