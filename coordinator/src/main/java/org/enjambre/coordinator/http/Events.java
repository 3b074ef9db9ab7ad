package org.enjambre.coordinator.http;

import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Server-sent event subscribers of this peer (the dashboard), and publishing to all of them. */
public final class Events {
    private record Subscriber(HttpServerResponse response, Context context) {
    }

    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();

    /** Starts an event stream on {@code response}; it ends when the client goes away. */
    public void subscribe(HttpServerResponse response, Context context, String initialEvents) {
        response.setChunked(true);
        response.putHeader("Content-Type", "text/event-stream; charset=utf-8");
        response.putHeader("Cache-Control", "no-cache");
        response.putHeader("X-Accel-Buffering", "no");
        Subscriber s = new Subscriber(response, context);
        response.closeHandler(v -> subscribers.remove(s));
        response.exceptionHandler(e -> subscribers.remove(s));
        response.write("retry: 1000\n\n" + initialEvents);
        subscribers.add(s);
    }

    public boolean hasSubscribers() {
        return !subscribers.isEmpty();
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    /** Sends one event to every subscriber. */
    public void publish(String event, String json) {
        if (subscribers.isEmpty()) {
            return;
        }
        String frame = frame(event, json);
        for (Subscriber s : subscribers) {
            s.context().runOnContext(v -> {
                if (!s.response().closed() && !s.response().ended()) {
                    if (s.response().writeQueueFull()) {
                        return; // a slow client misses a frame; the next snapshot catches it up
                    }
                    s.response().write(frame);
                } else {
                    subscribers.remove(s);
                }
            });
        }
    }

    public static String frame(String event, String json) {
        return "event: " + event + "\ndata: " + json.replace("\n", "") + "\n\n";
    }

    /** Ends every stream (the peer is stopping). */
    public void close() {
        for (Subscriber s : subscribers) {
            s.context().runOnContext(v -> {
                if (!s.response().ended()) {
                    s.response().end();
                }
            });
        }
        subscribers.clear();
    }
}
