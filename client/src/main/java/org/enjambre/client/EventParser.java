package org.enjambre.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code text/event-stream} format, one line at a time: {@code field: value} lines (one blank after the colon
 * dropped), {@code data} lines joined with line feeds, comments ({@code :}) ignored, an event dispatched at a blank
 * line; an event without data is dropped and one without a name is a {@code message}. A {@code retry} line sets the
 * reconnection delay. Not thread-safe: one parser per connection.
 */
final class EventParser {
    private String name = "";
    private final List<String> data = new ArrayList<>();
    private String lastId;
    private Duration retry;

    /** Takes one line (without its line ending); returns the event it completes, else null. */
    ServerEvent line(String line) {
        if (line.isEmpty()) {
            ServerEvent e = data.isEmpty() ? null : new ServerEvent(name.isEmpty() ? "message" : name, String.join("\n", data), lastId);
            name = "";
            data.clear();
            return e;
        }
        if (line.startsWith(":")) {
            return null;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> name = value;
            case "data" -> data.add(value);
            case "id" -> lastId = value.indexOf('\0') < 0 ? value : lastId;
            case "retry" -> {
                if (!value.isEmpty() && value.chars().allMatch(Character::isDigit) && value.length() < 10) {
                    retry = Duration.ofMillis(Long.parseLong(value));
                }
            }
            default -> {
                // unknown fields are ignored, as the standard says
            }
        }
        return null;
    }

    /** The server's reconnection delay, once it sent one; else null. */
    Duration retry() {
        return retry;
    }
}
