package org.enjambre.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The server-sent events format, line by line. */
class EventParserTest {
    private static List<ServerEvent> parse(String... lines) {
        EventParser p = new EventParser();
        List<ServerEvent> out = new ArrayList<>();
        for (String l : lines) {
            ServerEvent e = p.line(l);
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void namedEvents_dispatchedAtBlankLines() {
        assertThat(parse("event: job", "data: {\"id\":\"j-1\"}", "", "event: stats", "data: {}", ""))
                .containsExactly(new ServerEvent("job", "{\"id\":\"j-1\"}", null), new ServerEvent("stats", "{}", null));
    }

    @Test
    void dataLines_joinedWithLineFeeds_andOneLeadingBlankDropped() {
        assertThat(parse("data:a", "data:  b", "")).containsExactly(new ServerEvent("message", "a\n b", null));
    }

    @Test
    void comments_andEventsWithoutData_areDropped_idIsKept() {
        assertThat(parse(": keep-alive", "", "event: job", "", "id: 7", "data: x", ""))
                .containsExactly(new ServerEvent("message", "x", "7"));
    }

    @Test
    void retry_setsTheReconnectionDelay_onlyWhenItIsDigits() {
        EventParser p = new EventParser();
        p.line("retry: soon");
        assertThat(p.retry()).isNull();
        p.line("retry: 1000");
        assertThat(p.retry()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void incompleteEvent_atTheEnd_isNotDispatched() {
        assertThat(parse("event: job", "data: {}")).isEmpty();
    }
}
