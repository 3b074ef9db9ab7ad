package org.enjambre.cli;

import org.enjambre.client.EnjambreClient;
import org.enjambre.client.EnjambreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code enjambre module upload FILE.wasm}: uploads a WebAssembly module and prints its SHA-256. */
@Command(name = "module", mixinStandardHelpOptions = true, description = "Manage WebAssembly modules.",
        subcommands = {ModuleCommand.Upload.class})
public final class ModuleCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (upload)");
    }

    /** Uploads one module. */
    @Command(name = "upload", mixinStandardHelpOptions = true,
            description = "Upload a .wasm module (checked by the coordinator); print its SHA-256 for jobs' input.module.")
    public static final class Upload implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE.wasm", description = "the module")
        Path file;

        @CommandLine.Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + file + ": " + e.getMessage());
            }
            try (EnjambreClient api = client.api(Duration.ofSeconds(120))) {
                spec.commandLine().getOut().println(Shown.text(api.uploadModule(bytes)));
                return 0;
            } catch (EnjambreException e) {
                spec.commandLine().getErr().println("module upload: " + Shown.failure(e));
                return 1;
            }
        }
    }
}
