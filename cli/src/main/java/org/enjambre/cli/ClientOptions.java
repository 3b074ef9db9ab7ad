package org.enjambre.cli;

import org.enjambre.client.EnjambreClient;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Options shared by the client commands: where the coordinator is and the API key. */
public final class ClientOptions {
    static final String DEFAULT_URL = "http://127.0.0.1:8080";

    @Option(names = "--coordinator", paramLabel = "URL", description = "coordinator URL (default: ENJAMBRE_COORDINATOR, else http://127.0.0.1:8080)")
    String coordinator;

    @Option(names = "--api-key", description = "API key (default: ENJAMBRE_API_KEY, else the key file of a local coordinator)")
    String apiKey;

    @Option(names = "--data-dir", description = "data directory of the local coordinator whose key file to use (default: ~/.enjambre/coordinator)")
    Path dataDir;

    /** A client of the chosen coordinator, whose requests wait up to a minute for an answer. */
    EnjambreClient api() {
        return api(Duration.ofSeconds(60));
    }

    /** A client of the chosen coordinator, whose requests wait up to {@code timeout}. */
    EnjambreClient api(Duration timeout) {
        return client(url(coordinator), key(apiKey, dataDir), timeout);
    }

    /**
     * A client of {@code url}.
     *
     * @throws IllegalArgumentException for a URL that is not http(s) (reported as a failure of the command)
     */
    static EnjambreClient client(String url, String key, Duration timeout) {
        return EnjambreClient.builder().url(url).apiKey(key).timeout(timeout).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The coordinator URL: the option, then ENJAMBRE_COORDINATOR, then the local default. */
    static String url(String option) {
        if (option != null) {
            return option;
        }
        String env = System.getenv("ENJAMBRE_COORDINATOR");
        return env != null && !env.isBlank() ? env : DEFAULT_URL;
    }

    /** The API key: the option, then ENJAMBRE_API_KEY, then a local coordinator's key file. */
    static String key(String option, Path dataDir) {
        if (option != null) {
            return option;
        }
        String env = System.getenv("ENJAMBRE_API_KEY");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        Path file = (dataDir != null ? dataDir : CoordinatorCommand.defaultDataDir()).resolve("api-key");
        try {
            return Files.exists(file) ? Files.readString(file).trim() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
