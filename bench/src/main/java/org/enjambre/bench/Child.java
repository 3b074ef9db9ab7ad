package org.enjambre.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM on the same class path, spoken to by lines: commands on its standard input, answers on its
 * standard output as lines starting with {@code @}. Everything else it prints goes to a log file.
 */
final class Child implements AutoCloseable {
    /** The flags Hazelcast wants on JDK 17+ (as in the parent pom's {@code hz.jvm.args}). */
    static final List<String> HZ_FLAGS = List.of("--add-modules", "java.se",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

    private final String name;
    private final Process process;
    private final BufferedWriter in;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

    private Child(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        Thread reader = new Thread(() -> pump(log), "child-" + name + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code mainClass} in a new JVM with the given JVM flags and arguments; its stderr goes to {@code log}. */
    static Child start(String name, Class<?> mainClass, List<String> jvmFlags, List<String> args, Path log) {
        return start(name, mainClass, jvmFlags, args, log, null);
    }

    /** As {@link #start(String, Class, List, List, Path)}, pinned with {@code taskset -c cpus} when {@code cpus} is not null. */
    static Child start(String name, Class<?> mainClass, List<String> jvmFlags, List<String> args, Path log, String cpus) {
        List<String> cmd = new ArrayList<>();
        if (cpus != null) {
            if (!cpus.matches("[0-9]+([-,][0-9]+)*")) {
                throw new IllegalArgumentException("'" + cpus + "' is not a CPU list for taskset -c (e.g. 1 or 0-1)");
            }
            cmd.addAll(List.of("taskset", "-c", cpus));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(HZ_FLAGS);
        cmd.addAll(jvmFlags);
        String jfr = System.getProperty("bench.childJfr");
        if (jfr != null && !jfr.isBlank()) {
            try {
                Files.createDirectories(Path.of(jfr));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + jfr + " for the child JVMs' recordings", e);
            }
            // -Dbench.childJfr=DIR: every child JVM records a JFR profile in DIR/<name>.jfr (see BENCHMARKS.md).
            cmd.add("-XX:StartFlightRecording=settings=profile,filename=" + Path.of(jfr).resolve(name + ".jfr").toAbsolutePath());
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        cmd.addAll(args);
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new Child(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the " + name + " JVM: " + e.getMessage(), e);
        }
    }

    private void pump(Path log) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("@")) {
                    answers.add(line.substring(1));
                } else {
                    Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
            }
        } catch (IOException e) {
            // the child ended
        } finally {
            answers.add("EOF");
        }
    }

    /**
     * In a child JVM that takes no commands (a baseline): ends it when its standard input closes, i.e. when the
     * bench that started it is gone, so that a killed bench leaves no JVM behind.
     */
    static void exitWithParent() {
        Thread t = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // commands are not used; wait for the end of the stream
                }
            } catch (IOException e) {
                // the parent is gone as well
            }
            Runtime.getRuntime().halt(3);
        }, "exit-with-parent");
        t.setDaemon(true);
        t.start();
    }

    /** Sends one command line. */
    void send(String command) {
        try {
            in.write(command);
            in.newLine();
            in.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the " + name + " JVM does not take commands any more: " + e.getMessage(), e);
        }
    }

    /** The next answer whose first word is {@code word}; fails on an {@code error} answer, on EOF or after the timeout. */
    Answer expect(String word, long timeoutSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            String line;
            try {
                line = answers.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the " + name + " JVM", e);
            }
            if (line == null) {
                throw new IllegalStateException("the " + name + " JVM did not answer '" + word + "' within " + timeoutSeconds + " s");
            }
            if (line.equals("EOF")) {
                throw new IllegalStateException("the " + name + " JVM ended before answering '" + word + "' (see its log)");
            }
            Answer a = Answer.parse(line);
            if (a.word().equals("error")) {
                throw new IllegalStateException("the " + name + " JVM failed: " + line.substring(5).trim());
            }
            if (a.word().equals(word)) {
                return a;
            }
        }
    }

    /** CPU time the child has used so far (0 where the OS does not tell). */
    long cpuNanos() {
        return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    @Override
    public void close() {
        try {
            send("quit");
        } catch (UncheckedIOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroy();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
