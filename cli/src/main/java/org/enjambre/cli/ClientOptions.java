package org.enjambre.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options shared by the client commands: where the coordinator is and the API key. */
public final class ClientOptions {
    @Option(names = "--coordinator", paramLabel = "URL", description = "coordinator URL (default: ENJAMBRE_COORDINATOR, else http://127.0.0.1:8080)")
    String coordinator;

    @Option(names = "--api-key", description = "API key (default: ENJAMBRE_API_KEY, else the key file of a local coordinator)")
    String apiKey;

    @Option(names = "--data-dir", description = "data directory of the local coordinator whose key file to use (default: ~/.enjambre/coordinator)")
    Path dataDir;

    ApiClient api() {
        return new ApiClient(ApiClient.url(coordinator), ApiClient.key(apiKey, dataDir));
    }
}
