package org.enjambre.client;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One open connection to the event stream, read an event at a time with a bound on how long to wait for it
 * (a stream gone silent is as good as broken: the server sends {@code stats} every second).
 *
 * <p>The HTTP client pushes lines into a queue one at a time (it is asked for the next only after the reader took
 * one), so a slow reader holds back the connection, never memory; {@link #close()} cancels the subscription.
 */
final class EventStream implements AutoCloseable {
    private static final Object END = new Object();

    private final BlockingQueue<Object> lines = new LinkedBlockingQueue<>();
    private final EventParser parser = new EventParser();
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;
    /** Events returned by {@link #next}; read by the same thread. */
    private int delivered;

    /** The body handler that reads a response into a new stream; the stream is there as soon as the headers are. */
    static HttpResponse.BodyHandler<EventStream> handler() {
        return info -> {
            EventStream stream = new EventStream();
            HttpResponse.BodySubscriber<Void> lineReader = HttpResponse.BodySubscribers.fromLineSubscriber(stream.subscriber());
            return new HttpResponse.BodySubscriber<>() {
                @Override
                public CompletionStage<EventStream> getBody() {
                    return CompletableFuture.completedFuture(stream);
                }

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    lineReader.onSubscribe(s);
                }

                @Override
                public void onNext(List<ByteBuffer> item) {
                    lineReader.onNext(item);
                }

                @Override
                public void onError(Throwable t) {
                    lineReader.onError(t);
                }

                @Override
                public void onComplete() {
                    lineReader.onComplete();
                }
            };
        };
    }

    private Flow.Subscriber<String> subscriber() {
        return new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                if (closed) {
                    s.cancel();
                } else {
                    s.request(1);
                }
            }

            @Override
            public void onNext(String line) {
                lines.add(line);
            }

            @Override
            public void onError(Throwable t) {
                lines.add(t);
            }

            @Override
            public void onComplete() {
                lines.add(END);
            }
        };
    }

    /**
     * The next event; null when the server ended the stream.
     *
     * @throws IOException when the connection broke, or no event came within {@code wait}
     */
    ServerEvent next(Duration wait) throws IOException, InterruptedException {
        long until = System.nanoTime() + wait.toNanos();
        while (true) {
            String line = line(until - System.nanoTime());
            if (line == null) {
                return null;
            }
            ServerEvent e = parser.line(line);
            if (e != null) {
                delivered++;
                return e;
            }
        }
    }

    /** The whole remaining body as text, for an error answer (bounded by {@code wait}). */
    String rest(Duration wait) throws IOException, InterruptedException {
        long until = System.nanoTime() + wait.toNanos();
        StringBuilder b = new StringBuilder();
        for (String line = line(until - System.nanoTime()); line != null && b.length() < 65536; line = line(until - System.nanoTime())) {
            b.append(line).append('\n');
        }
        return b.toString();
    }

    /** How many events this connection delivered. */
    int delivered() {
        return delivered;
    }

    /** The server's reconnection delay, once it sent one. */
    Duration retry() {
        return parser.retry();
    }

    private String line(long waitNanos) throws IOException, InterruptedException {
        Object o = lines.poll(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
        if (o == null) {
            throw new IOException("no event within the idle timeout");
        }
        if (o == END) {
            lines.add(END);
            return null;
        }
        if (o instanceof Throwable t) {
            lines.add(t);
            throw t instanceof IOException io ? io : new IOException(t);
        }
        subscription.request(1);
        return (String) o;
    }

    @Override
    public void close() {
        closed = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
