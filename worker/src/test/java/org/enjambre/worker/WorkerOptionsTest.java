package org.enjambre.worker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkerOptionsTest {
    @TempDir
    Path tmp;

    @Test
    void builder_defaults() {
        WorkerOptions options = WorkerOptions.builder("http://127.0.0.1:8080").build();
        assertThat(options.coordinators()).containsExactly(URI.create("http://127.0.0.1:8080"));
        assertThat(options.cores()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
        assertThat(options.cpuLimitPercent()).isEqualTo(100);
        assertThat(options.idleOnly()).isFalse();
        assertThat(options.dataDir()).isEqualTo(Path.of(System.getProperty("user.home"), ".enjambre", "worker"));
        assertThat(options.name()).isNotBlank();
        assertThat(options.maxMemoryMb()).isEqualTo(256);
        assertThat(options.account()).isEmpty();
        assertThat(options.fetchWait()).isEqualTo(Duration.ofSeconds(20));
        assertThat(options.sabotage()).isEqualTo(Sabotage.NONE);
        assertThat(options.bufferMin()).isEqualTo(Duration.ofSeconds(60));
        assertThat(options.bufferMax()).isEqualTo(Duration.ofSeconds(120));
        assertThat(options.reportDelay()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void bufferSeconds_parseMinAndMax() {
        assertThat(WorkerOptions.parseBuffer("30")).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(60));
        assertThat(WorkerOptions.parseBuffer("0:1.5")).containsExactly(Duration.ZERO, Duration.ofMillis(1500));
        assertThatThrownBy(() -> WorkerOptions.parseBuffer("a:b")).hasMessage("buffer seconds must be MIN or MIN:MAX in seconds, got 'a:b'");
        assertThatThrownBy(() -> WorkerOptions.parseBuffer("1:2:3")).hasMessage("buffer seconds must be MIN or MIN:MAX, got '1:2:3'");
    }

    private static void refused(WorkerOptions.Builder builder, String message) {
        assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void badValues_areRefusedWithAMessageNamingThem() {
        refused(WorkerOptions.builder(), "at least one coordinator URL is needed");
        assertThatThrownBy(() -> WorkerOptions.builder("ftp://host"))
                .hasMessage("coordinator URL 'ftp://host' must start with http:// or https://");
        assertThatThrownBy(() -> WorkerOptions.builder("localhost:8080"))
                .hasMessage("coordinator URL 'localhost:8080' must start with http:// or https://");
        assertThatThrownBy(() -> WorkerOptions.builder("http://exa mple"))
                .hasMessageStartingWith("coordinator URL 'http://exa mple' is not a valid URL");
        assertThatThrownBy(() -> WorkerOptions.builder("http://127.0.0.1:8080?x=1"))
                .hasMessage("coordinator URL 'http://127.0.0.1:8080?x=1' must not have a query or fragment");
        assertThatThrownBy(() -> WorkerOptions.builder(" "))
                .hasMessage("a coordinator URL is empty");
        String url = "http://127.0.0.1:8080";
        refused(WorkerOptions.builder(url).cores(0), "cores must be between 1 and 4096, got 0");
        refused(WorkerOptions.builder(url).cpuLimitPercent(0), "cpu limit must be between 1 and 100 percent, got 0");
        refused(WorkerOptions.builder(url).cpuLimitPercent(101), "cpu limit must be between 1 and 100 percent, got 101");
        refused(WorkerOptions.builder(url).maxMemoryMb(8), "max memory must be at least 16 MB, got 8");
        refused(WorkerOptions.builder(url).name(" "), "name must not be blank");
        refused(WorkerOptions.builder(url).name("x".repeat(65)), "name must be at most 64 characters, got 65");
        refused(WorkerOptions.builder(url).name("a\nb"), "name must not contain control characters");
        refused(WorkerOptions.builder(url).account(""), "account must not be blank");
        refused(WorkerOptions.builder(url).fetchWait(Duration.ofSeconds(31)), "fetch wait must be between 0 and 30 seconds, got 31.0 s");
        refused(WorkerOptions.builder(url).backoff(Duration.ZERO, Duration.ofSeconds(1)), "backoff minimum must be positive, got 0.0 s");
        refused(WorkerOptions.builder(url).backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)),
                "backoff maximum (1.0 s) must not be below the minimum (2.0 s)");
        refused(WorkerOptions.builder(url).checkpointInterval(Duration.ofSeconds(-1)), "checkpoint interval must not be negative, got -1.0 s");
        refused(WorkerOptions.builder(url).buffer(Duration.ofSeconds(-1), Duration.ofSeconds(1)),
                "buffer minimum must be between 0 and 7 days, got -1.0 s");
        refused(WorkerOptions.builder(url).buffer(Duration.ofSeconds(10), Duration.ofSeconds(5)),
                "buffer maximum (5.0 s) must be positive, at most 7 days, and not below the minimum (10.0 s)");
        refused(WorkerOptions.builder(url).reportDelay(Duration.ofSeconds(11)), "report delay must be between 0 and 10 seconds, got 11.0 s");
    }

    @Test
    void dataDir_thatIsAFile_isRefused() throws IOException {
        Path file = Files.writeString(tmp.resolve("f"), "x");
        refused(WorkerOptions.builder("http://127.0.0.1:8080").dataDir(file), "data directory " + file + " is a file, not a directory");
    }

    @Test
    void severalCoordinators_keepTheirOrder() {
        WorkerOptions options = WorkerOptions.builder().coordinators(List.of("http://127.0.0.1:1", "https://127.0.0.1:2/")).build();
        assertThat(options.coordinators()).extracting(URI::toString).containsExactly("http://127.0.0.1:1", "https://127.0.0.1:2/");
    }

    @Test
    void sabotage_parses() {
        assertThat(Sabotage.parse("0.25")).isEqualTo(new Sabotage(0.25, false));
        assertThat(Sabotage.parse("1:colluding")).isEqualTo(new Sabotage(1, true));
        assertThat(Sabotage.parse("0").enabled()).isFalse();
        assertThatThrownBy(() -> Sabotage.parse("2")).hasMessage("sabotage rate must be between 0 and 1, got 2.0");
        assertThatThrownBy(() -> Sabotage.parse("half")).hasMessage("sabotage must be RATE or RATE:colluding with RATE between 0 and 1, got 'half'");
        assertThatThrownBy(() -> Sabotage.parse("0.5:friends")).hasMessage("sabotage must be RATE or RATE:colluding, got '0.5:friends'");
    }
}
