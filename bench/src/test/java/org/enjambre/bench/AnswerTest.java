package org.enjambre.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AnswerTest {

    @Test
    void format_thenParse_roundTrips() {
        String line = Answer.format("stopped", "tasks", 120, "rate", "1.5", "firstError", "fetch_429_x=y");
        assertThat(line).isEqualTo("@stopped tasks=120 rate=1.5 firstError=fetch_429_x=y");
        Answer a = Answer.parse(line.substring(1));
        assertThat(a.word()).isEqualTo("stopped");
        assertThat(a.number("tasks")).isEqualTo(120);
        assertThat(a.decimal("rate")).isEqualTo(1.5);
        assertThat(a.text("firstError")).isEqualTo("fetch_429_x=y");
    }

    @Test
    void parse_rejectsAFieldWithoutValue() {
        assertThatThrownBy(() -> Answer.parse("stopped tasks")).hasMessageContaining("'tasks'").hasMessageContaining("key=value");
    }

    @Test
    void text_saysWhichFieldIsMissing() {
        assertThatThrownBy(() -> Answer.parse("polled n=3").text("p99")).hasMessage("answer 'polled' has no field 'p99'");
    }

    @Test
    void format_rejectsAnOddNumberOfKeysAndValues() {
        assertThatThrownBy(() -> Answer.format("x", "k")).hasMessageContaining("pairs");
    }
}
