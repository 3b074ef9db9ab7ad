package org.enjambre.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process of the shipped distribution (a coordinator or a worker started as a user would), its output
 * copied to a log file, with one line pattern watched for (e.g. the coordinator's "coordinator up at URL").
 */
final class Proc implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final CompletableFuture<Matcher> watched = new CompletableFuture<>();
    /** Stops the process if the bench itself is stopped (Ctrl-C, SIGTERM) before {@link #close()}. */
    private final Thread onBenchExit;

    private Proc(String name, Process process, Path log, Pattern watch) {
        this.name = name;
        this.process = process;
        this.log = log;
        Thread t = new Thread(() -> pump(watch), "proc-" + name);
        t.setDaemon(true);
        t.start();
        onBenchExit = new Thread(process::destroy, "stop-" + name);
        Runtime.getRuntime().addShutdownHook(onBenchExit);
    }

    /** Starts {@code command} with its standard output and error going to {@code log}; {@code watch} may be null. */
    static Proc start(String name, List<String> command, Path log, Pattern watch) {
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            return new Proc(name, p, log, watch);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + String.join(" ", command) + "): " + e.getMessage(), e);
        }
    }

    private void pump(Pattern watch) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             Writer w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                w.write(line);
                w.write('\n');
                w.flush();
                if (watch != null && !watched.isDone()) {
                    Matcher m = watch.matcher(line);
                    if (m.find()) {
                        watched.complete(m);
                    }
                }
            }
        } catch (IOException e) {
            // the process ended
        } finally {
            watched.completeExceptionally(new IllegalStateException(name + " ended (exit " + exitCode() + "); see " + log));
        }
    }

    private String exitCode() {
        return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
    }

    /** The first line that matched the watched pattern, waiting at most {@code seconds}. */
    Matcher awaitLine(long seconds) {
        try {
            return watched.get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(name + " printed no expected line within " + seconds + " s; see " + log, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    /** CPU time the process has used so far (0 where the OS does not tell). */
    long cpuNanos() {
        return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    /** SIGTERM (a graceful stop, which also writes a JFR recording started with dumponexit), then SIGKILL after 60 s. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(onBenchExit);
        } catch (IllegalStateException e) {
            // the bench is already stopping: the hook stops the process
        }
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
