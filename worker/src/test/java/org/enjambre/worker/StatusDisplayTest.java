package org.enjambre.worker;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

class StatusDisplayTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicReference<String> status = new AtomicReference<>("w-1 working | done 1");

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void terminal_rewritesOneLineAndPrintsLogLinesAboveIt() {
        StatusDisplay display = new StatusDisplay(out, true, status::get);
        display.paint();
        status.set("w-1 working | done 2");
        display.paint();
        assertThat(printed()).isEqualTo("w-1 working | done 1\r" + " ".repeat(20) + "\rw-1 working | done 2");

        bytes.reset();
        display.publish(new LogRecord(Level.WARNING, "coordinator unreachable"));
        assertThat(printed()).startsWith("\r" + " ".repeat(20) + "\r")
                .matches("(?s).*\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z WARNING coordinator unreachable\\R"
                        + "w-1 working \\| done 2$");
    }

    @Test
    void plain_logsTheStatusOnlyWhenItChanged() {
        StatusDisplay display = new StatusDisplay(out, false, status::get);
        display.paint();
        display.paint();
        status.set("w-1 working | done 2");
        display.paint();
        assertThat(printed().lines()).hasSize(2).allMatch(line -> line.matches("\\S+Z INFO w-1 working \\| done \\d"));
        assertThat(printed()).doesNotContain("\r");
    }

    @Test
    void fineRecords_areNotShown() {
        StatusDisplay display = new StatusDisplay(out, false, status::get);
        display.publish(new LogRecord(Level.FINE, "task j/1/0: done"));
        assertThat(printed()).isEmpty();
    }
}
