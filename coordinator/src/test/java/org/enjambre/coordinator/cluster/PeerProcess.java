package org.enjambre.coordinator.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A coordinator peer running {@link PeerMain} in a JVM of its own, for cluster tests. {@link #kill()} is
 * {@code kill -9}; {@link #stop()} is SIGTERM, a graceful stop. The peer's output goes to its log file.
 */
final class PeerProcess {
    /**
     * How a peer is started; the same spec starts it again (same ports, same data directory).
     *
     * @param db the JDBC URL of the store the peers share
     */
    record Spec(String name, Path dataDir, Path log, int port, int clusterPort, String cluster, String secret,
                String apiKey, String db) {
        String url() {
            return "http://127.0.0.1:" + port;
        }

        String clusterAddress() {
            return "127.0.0.1:" + clusterPort;
        }
    }

    private final Spec spec;
    private final Process process;
    private final Writer stdin;
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

    private PeerProcess(Spec spec, Process process) {
        this.spec = spec;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readOutput, "peer-output-" + spec.name());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the peer's JVM; it joins the peers at {@code seeds} (cluster addresses). See {@link #awaitReady}. */
    static PeerProcess launch(Spec spec, List<String> seeds) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true", "-Dorg.slf4j.simpleLogger.log.com.hazelcast=info"));
        cmd.addAll(hazelcastFlags());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PeerMain.class.getName()));
        cmd.addAll(List.of("--data-dir", spec.dataDir().toString(), "--port", Integer.toString(spec.port()),
                "--cluster-port", Integer.toString(spec.clusterPort()), "--cluster", spec.cluster(),
                "--secret", spec.secret(), "--api-key", spec.apiKey(), "--db", spec.db(), "--join", String.join(",", seeds)));
        try {
            Files.createDirectories(spec.dataDir());
            Files.writeString(spec.log(), "---- start, joining " + seeds + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(spec.log().toFile())).start();
            return new PeerProcess(spec, p);
        } catch (IOException e) {
            throw new IllegalStateException("could not start peer " + spec.name() + ": " + e, e);
        }
    }

    /**
     * The module flags the test JVM runs with (the parent pom's {@code hz.jvm.args}, passed on by Surefire's
     * argLine), so that Hazelcast in the peer has the same access and prints no warnings.
     */
    static List<String> hazelcastFlags() {
        List<String> in = ManagementFactory.getRuntimeMXBean().getInputArguments();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            String a = in.get(i);
            if (a.startsWith("--add-") && a.contains("=")) {
                out.add(a);
            } else if (a.startsWith("--add-") && i + 1 < in.size()) {
                out.add(a);
                out.add(in.get(++i));
            }
        }
        return out;
    }

    private void readOutput() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("READY ")) {
                    ready.complete(line.substring(6).trim());
                } else if (line.startsWith("FAILED ")) {
                    ready.completeExceptionally(new IllegalStateException("peer " + spec.name() + " failed to start: "
                            + line.substring(7) + tail()));
                } else if (line.startsWith("SAFE ") || line.startsWith("MEMBERS ") || line.startsWith("UNKNOWN ")) {
                    answers.add(line);
                } else {
                    Files.writeString(spec.log(), line + "\n", StandardOpenOption.APPEND);
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        ready.completeExceptionally(new IllegalStateException("peer " + spec.name() + " exited before it was ready" + tail()));
    }

    /** Waits until the peer serves HTTP; returns its URL. */
    String awaitReady(Duration timeout) {
        try {
            String url = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!url.equals(spec.url())) {
                throw new IllegalStateException("peer " + spec.name() + " serves " + url + ", not " + spec.url());
            }
            return url;
        } catch (TimeoutException e) {
            throw new IllegalStateException("peer " + spec.name() + " was not ready in " + timeout.toSeconds() + " s" + tail(), e);
        } catch (ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Spec spec() {
        return spec;
    }

    String url() {
        return spec.url();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** {@code kill -9}: the peer vanishes without a word to the cluster or the store. */
    void kill() {
        process.destroyForcibly();
        waitForExit(Duration.ofSeconds(30));
    }

    /** SIGTERM: the peer leaves the cluster gracefully (its partitions migrate first) and exits. */
    void stop() {
        process.destroy();
        if (!waitForExit(Duration.ofSeconds(60))) {
            kill();
            throw new IllegalStateException("peer " + spec.name() + " did not stop in 60 s after SIGTERM; killed it" + tail());
        }
    }

    private boolean waitForExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether every partition has its owner and backups in place (so that losing one more peer loses nothing). */
    boolean clusterSafe() {
        return ask("safe").equals("SAFE true");
    }

    /** How many members the peer sees in its cluster. */
    int members() {
        return Integer.parseInt(ask("members").substring("MEMBERS ".length()));
    }

    private synchronized String ask(String question) {
        try {
            answers.clear();
            stdin.write(question + "\n");
            stdin.flush();
            String answer = answers.poll(20, TimeUnit.SECONDS);
            if (answer == null) {
                throw new IllegalStateException("peer " + spec.name() + " did not answer '" + question + "' in 20 s");
            }
            return answer;
        } catch (IOException e) {
            throw new IllegalStateException("peer " + spec.name() + " is gone: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The last lines of the peer's log, for failure messages. */
    String tail() {
        return tail(spec.log(), 30);
    }

    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "\n---- last lines of " + log + ":\n" + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "";
        }
    }
}
