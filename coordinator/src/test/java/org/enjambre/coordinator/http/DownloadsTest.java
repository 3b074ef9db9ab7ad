package org.enjambre.coordinator.http;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The safe list of content types results are served with. */
class DownloadsTest {
    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
            "application/json, application/json, true",
            "Application/JSON; charset=utf-8, application/json, true",
            "text/plain, text/plain, true",
            "text/csv, text/csv, false",
            "image/png, image/png, true",
            "application/octet-stream, application/octet-stream, false",
            "text/html, application/octet-stream, false",
            "image/svg+xml, application/octet-stream, false",
            "application/javascript, application/octet-stream, false",
            "application/xhtml+xml, application/octet-stream, false",
            "text/xml, application/octet-stream, false",
            "null, application/octet-stream, false"})
    void safeType_onlyTheSafeListPasses_restIsOctetStream(String declared, String served, boolean inline) {
        assertThat(Downloads.safeType(declared)).isEqualTo(served);
        assertThat(Downloads.inline(Downloads.safeType(declared))).isEqualTo(inline);
    }
}
