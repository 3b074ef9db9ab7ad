package org.enjambre.worker;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/** One log line per record: {@code 2026-11-25T07:00:00.123Z WARNING message}, plus the cause's one-line summary. */
final class LineFormatter extends Formatter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Override
    public String format(LogRecord record) {
        StringBuilder line = new StringBuilder(128)
                .append(TIME.format(Instant.ofEpochMilli(record.getMillis())))
                .append(' ').append(record.getLevel().getName())
                .append(' ').append(formatMessage(record));
        Throwable thrown = record.getThrown();
        if (thrown != null) {
            line.append(" (").append(thrown).append(')');
        }
        return line.append(System.lineSeparator()).toString();
    }
}
