package org.enjambre.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code enjambre demo --exit-when-done}, in-process: a whole swarm that runs its two jobs and ends. */
class DemoCommandTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void exitWhenDone_exits0_afterPrintingThePrimesCountAndThePathOfTheImage() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Enjambre.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("demo", "--exit-when-done", "--port", "0", "--data-dir", dir.toString());

        assertThat(code).as("exit code; stdout:%n%s%nstderr:%n%s", out, err).isZero();
        assertThat(out.toString()).contains("Dashboard: http://127.0.0.1:").contains("Primes below 10000000: 664579");
        Matcher image = Pattern.compile("Mandelbrot image \\((\\d+) bytes\\): (.+\\.png)").matcher(out.toString());
        assertThat(image.find()).as("a line with the image's path in:%n%s", out).isTrue();
        Path png = Path.of(image.group(2).strip());
        assertThat(png).exists().startsWith(dir);
        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes).hasSize(Integer.parseInt(image.group(1)));
        assertThat(Arrays.copyOf(bytes, 8)).isEqualTo(PNG_SIGNATURE);
        assertThat(err.toString()).isEmpty();
    }
}
