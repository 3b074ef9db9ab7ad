package org.enjambre.cli;

import org.enjambre.client.EnjambreClient;
import org.enjambre.client.EnjambreException;
import org.enjambre.client.FileStatus;
import org.enjambre.workunits.text.Printable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code enjambre data upload PATH...}: uploads files (a directory: every regular file under it, in name order) in
 * chunks, resuming: the coordinator answers which chunks it lacks, so running it again after an interruption sends
 * only those. Prints one line per file, {@code <file id>  <path>}; progress goes to standard error.
 */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Manage uploaded data files (job inputs).",
        subcommands = {DataCommand.Upload.class})
public final class DataCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (upload)");
    }

    /** Uploads files, resuming where an earlier run stopped. */
    @Command(name = "upload", mixinStandardHelpOptions = true,
            description = "Upload files in chunks (resumable: a second run sends only missing chunks); print each file's id "
                    + "for jobs' input.files.")
    public static final class Upload implements Callable<Integer> {
        private static final HexFormat HEX = HexFormat.of();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "PATH", description = "files or directories to upload")
        List<Path> paths;

        @Option(names = "--chunk-kb", paramLabel = "KB", defaultValue = "4096",
                description = "chunk size in KiB; at most the coordinators' (default: ${DEFAULT-VALUE})")
        int chunkKb;

        @CommandLine.Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            if (chunkKb < 1 || chunkKb > 64 * 1024) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--chunk-kb must be from 1 to 65536");
            }
            List<Path> files = new ArrayList<>();
            for (Path p : paths) {
                if (Files.isDirectory(p)) {
                    try (Stream<Path> walk = Files.walk(p)) {
                        walk.filter(Files::isRegularFile).sorted().forEach(files::add);
                    } catch (IOException e) {
                        throw new CommandLine.ParameterException(spec.commandLine(), "cannot list " + p + ": " + e.getMessage());
                    }
                } else if (Files.isRegularFile(p)) {
                    files.add(p);
                } else {
                    throw new CommandLine.ParameterException(spec.commandLine(), p + " is not a file or directory");
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (EnjambreClient api = client.api(Duration.ofSeconds(300))) {
                for (Path f : files) {
                    String id = upload(api, f, err);
                    out.println(id + "  " + Printable.escape(f.toString()));
                    out.flush();
                }
                return 0;
            } catch (EnjambreException e) {
                err.println("data upload: " + Shown.failure(e));
                return 1;
            } catch (IOException | java.io.UncheckedIOException e) {
                err.println("data upload: " + e.getMessage());
                return 1;
            }
        }

        private String upload(EnjambreClient api, Path file, PrintWriter err) throws IOException {
            int chunk = chunkKb * 1024;
            long size = Files.size(file);
            List<String> hashes = hashes(file, chunk);
            String name = file.getFileName().toString();
            Set<String> missing = new HashSet<>(api.declareFile(name, size, chunk, hashes).missing());
            long toSend = 0;
            for (int i = 0; i < hashes.size(); i++) {
                toSend += missing.contains(hashes.get(i)) ? Math.min(chunk, size - (long) i * chunk) : 0;
            }
            Progress bar = new Progress(err, System.console() != null, Printable.escape(file.getFileName().toString()), toSend);
            bar.show(0, missing.isEmpty() ? "already stored" : (hashes.size() - missing.size()) + " chunks already stored");
            long sent = 0;
            try (InputStream in = Files.newInputStream(file)) {
                for (int i = 0; i < hashes.size(); i++) {
                    byte[] bytes = in.readNBytes((int) Math.min(chunk, size - (long) i * chunk));
                    if (missing.remove(hashes.get(i))) {
                        api.putChunk(hashes.get(i), bytes);
                        sent += bytes.length;
                        bar.show(sent, "uploading");
                    }
                }
            }
            FileStatus done = api.declareFile(name, size, chunk, hashes);
            if (!done.complete()) {
                throw new IOException(file + ": the coordinators still lack " + done.missing().size()
                        + " chunks; run the upload again");
            }
            bar.done(sent);
            return done.id();
        }

        /** The SHA-256 of each chunk of the file, in order, reading it once. */
        private static List<String> hashes(Path file, int chunk) throws IOException {
            List<String> out = new ArrayList<>();
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[chunk];
                for (int n = in.readNBytes(buf, 0, chunk); n > 0; n = in.readNBytes(buf, 0, chunk)) {
                    MessageDigest md = sha256();
                    md.update(buf, 0, n);
                    out.add(HEX.formatHex(md.digest()));
                }
            }
            return out;
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

    }

    /** A byte-count progress line: redrawn in place on a terminal, else a line every 10 %. */
    static final class Progress {
        private static final int WIDTH = 30;
        private final PrintWriter out;
        private final boolean terminal;
        private final String label;
        private final long total;
        private int lastTenth = -1;

        Progress(PrintWriter out, boolean terminal, String label, long total) {
            this.out = out;
            this.terminal = terminal;
            this.label = label;
            this.total = total;
        }

        void show(long done, String state) {
            double f = total == 0 ? 1 : (double) done / total;
            int filled = (int) Math.round(f * WIDTH);
            String line = String.format("%s [%s%s] %3d%% %d/%d MiB %s", label, "#".repeat(filled), ".".repeat(WIDTH - filled),
                    (int) Math.floor(f * 100), done >> 20, total >> 20, state);
            if (terminal) {
                out.print("\r" + line);
            } else if ((int) (f * 10) != lastTenth) {
                lastTenth = (int) (f * 10);
                out.println(line);
            }
            out.flush();
        }

        void done(long sent) {
            show(sent, "done");
            if (terminal) {
                out.println();
            }
            out.flush();
        }
    }
}
