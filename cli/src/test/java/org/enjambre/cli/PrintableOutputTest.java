package org.enjambre.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client commands never print a server's text raw (issue 13): a job name with ANSI escapes, a bell or
 * a bidirectional override (stored by a coordinator from before names were checked) is printed escaped.
 * The server is a stub on loopback answering as such a coordinator would: today's refuses these names.
 */
class PrintableOutputTest {
    private static final String EVIL = "evil\u001b]0;pwned\u0007\u001b[2J\u202eexe.txt";
    private static HttpServer server;
    private static String url;

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String job = "{\"id\":\"j-1\",\"name\":\"" + jsonEscaped(EVIL) + "\",\"app\":\"noop\",\"state\":\"RUNNING\",\"progress\":0.5,"
                + "\"workUnits\":{\"total\":2,\"done\":1},\"failure\":null}";
        server.createContext("/api/v1/jobs", ex -> {
            String path = ex.getRequestURI().getPath();
            int status = 200;
            String body;
            if (path.equals("/api/v1/jobs")) {
                body = "{\"jobs\":[" + job + "]}";
            } else if (path.equals("/api/v1/jobs/j-1")) {
                body = job;
            } else {
                status = 404;
                body = "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"no job '" + jsonEscaped(EVIL) + "'\"}}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    /** The name as JSON carries it (control characters as \\u escapes, the override raw, as Jackson writes it). */
    private static String jsonEscaped(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    private static void assertPrintable(String text) {
        assertThat(text).doesNotContain("\u001b", "\u0007", "\u202e");
    }

    @Test
    void statusTable_jobNameWithEscapes_printedEscaped() {
        CommandLineTest.Run r = CommandLineTest.run("status", "--coordinator", url, "--api-key", "k-12345678");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertPrintable(r.out());
        assertThat(r.out()).contains("evil\\u001b]0;pwned\\u0007\\u001b[2J\\u202eexe.txt");
    }

    @Test
    void statusOfOneJob_andServerErrors_printedEscaped() {
        CommandLineTest.Run one = CommandLineTest.run("status", "j-1", "--coordinator", url, "--api-key", "k-12345678");
        assertThat(one.exitCode()).as(one.err()).isZero();
        assertPrintable(one.out());
        assertThat(one.out()).contains("\\u202eexe.txt");
        CommandLineTest.Run missing = CommandLineTest.run("status", "j-2", "--coordinator", url, "--api-key", "k-12345678");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertPrintable(missing.err());
        assertThat(missing.err()).contains("no job 'evil\\u001b");
    }
}
