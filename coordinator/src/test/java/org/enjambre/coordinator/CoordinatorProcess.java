package org.enjambre.coordinator;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A coordinator in a JVM of its own, for tests that kill it for real ({@code kill -9}): started with
 * its data directory as the only argument, it prints {@code URL <base url>} once it serves, and stops
 * when its standard input ends (so it never outlives the test JVM that started it).
 */
public final class CoordinatorProcess {
    public static final String URL_LINE = "URL ";

    private CoordinatorProcess() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: CoordinatorProcess DATA_DIR");
            System.exit(2);
        }
        Coordinator c = Coordinator.start(Harness.options(Path.of(args[0])));
        System.out.println(URL_LINE + c.url());
        System.out.flush();
        while (System.in.read() != -1) {
            // wait for the parent to go away
        }
        c.close();
        System.exit(0);
    }
}
