package org.enjambre.bench;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the CPU time of this JVM goes, from a JFR recording's execution samples: the hottest methods
 * (self), the Enjambre methods on the most stacks (inclusive), the library each sample is in, and the
 * threads that ran.
 *
 * @param samples execution samples in the recording
 */
record Profile(long samples, List<Row> selfMethods, List<Row> enjambreInclusive, List<Row> libraries, List<Row> threads,
               List<Wait> waits) {

    /** One line of a ranking: a name, its sample count and share. */
    record Row(String name, long samples, double percent) {
    }

    /** Time spent blocked in one kind of I/O or lock (a JFR duration event) at one Enjambre method: count and total. */
    record Wait(String event, String where, long count, double totalMs) {
    }

    /** Duration events that show where threads wait rather than compute (JFR records those above its threshold, 10–20 ms). */
    static final Set<String> WAIT_EVENTS = Set.of("jdk.FileForce", "jdk.FileWrite", "jdk.FileRead", "jdk.SocketRead", "jdk.SocketWrite",
            "jdk.JavaMonitorEnter");

    /** Library buckets by package prefix, most specific first; a sample goes to the innermost non-JDK frame. */
    private static final Map<String, String> LIBRARIES = new LinkedHashMap<>();

    static {
        LIBRARIES.put("org.h2.", "H2 (SQL engine, MVStore)");
        LIBRARIES.put("com.zaxxer.hikari.", "HikariCP");
        LIBRARIES.put("com.hazelcast.", "Hazelcast");
        LIBRARIES.put("io.netty.", "Netty (HTTP I/O)");
        LIBRARIES.put("io.vertx.", "Vert.x");
        LIBRARIES.put("com.fasterxml.jackson.", "Jackson (JSON)");
        LIBRARIES.put("io.micrometer.", "Micrometer");
        LIBRARIES.put("org.enjambre.", "Enjambre");
        LIBRARIES.put("org.slf4j.", "SLF4J");
        LIBRARIES.put("com.dylibso.chicory.", "Chicory (WebAssembly)");
        LIBRARIES.put("picocli.", "picocli");
    }

    /**
     * Starts a JFR recording with the JDK's low-overhead "default" settings, execution samples every 10 ms
     * (the "profile" settings slowed the coordinator down noticeably on a busy 2-core machine).
     */
    static Recording start() {
        try {
            Recording r = new Recording(Configuration.getConfiguration("default"));
            r.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(10));
            r.setName("enjambre-bench");
            r.start();
            return r;
        } catch (IOException | ParseException e) {
            throw new IllegalStateException("cannot start a JFR recording: " + e.getMessage(), e);
        }
    }

    /** Stops the recording, writes it to {@code file} and summarizes the samples taken between {@code from} and {@code to}. */
    static Profile stop(Recording r, Path file, int top, java.time.Instant from, java.time.Instant to) {
        try {
            r.stop();
            r.dump(file);
            r.close();
            return of(RecordingFile.readAllEvents(file), top, from, to);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write or read the JFR recording " + file + ": " + e.getMessage(), e);
        }
    }

    static Profile of(List<RecordedEvent> events, int top) {
        return of(events, top, java.time.Instant.MIN, java.time.Instant.MAX);
    }

    /** Like {@link #of(List, int)}, with only the samples taken between {@code from} and {@code to}. */
    static Profile of(List<RecordedEvent> events, int top, java.time.Instant from, java.time.Instant to) {
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> inclusive = new HashMap<>();
        Map<String, Long> libs = new HashMap<>();
        Map<String, Long> threads = new HashMap<>();
        Map<String, double[]> waits = new HashMap<>();
        long n = 0;
        for (RecordedEvent e : events) {
            if (e.getStackTrace() == null || e.getStartTime().isBefore(from) || e.getStartTime().isAfter(to)) {
                continue;
            }
            if (WAIT_EVENTS.contains(e.getEventType().getName())) {
                if (benchThread(e.getStackTrace().getFrames())) {
                    continue;
                }
                double[] w = waits.computeIfAbsent(e.getEventType().getName().substring(4) + "\t" + innermostEnjambre(e.getStackTrace().getFrames()),
                        k -> new double[2]);
                w[0]++;
                w[1] += e.getDuration().toNanos() / 1e6;
                continue;
            }
            if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            n++;
            self.merge(name(frames.get(0).getMethod()), 1L, Long::sum);
            Set<String> seen = new HashSet<>();
            String lib = null;
            for (RecordedFrame f : frames) {
                String type = f.getMethod().getType().getName();
                if (lib == null && !isJdk(type)) {
                    lib = library(type);
                }
                if (type.startsWith("org.enjambre.") && seen.add(name(f.getMethod()))) {
                    inclusive.merge(name(f.getMethod()), 1L, Long::sum);
                }
            }
            libs.merge(lib == null ? "JDK only (I/O, collections, crypto...)" : lib, 1L, Long::sum);
            RecordedThread t = e.getThread("sampledThread");
            threads.merge(t == null ? "?" : threadGroup(t.getJavaName()), 1L, Long::sum);
        }
        List<Wait> waitRows = waits.entrySet().stream()
                .map(x -> new Wait(x.getKey().split("\t")[0], x.getKey().split("\t")[1], (long) x.getValue()[0], x.getValue()[1]))
                .sorted(Comparator.comparingDouble(Wait::totalMs).reversed()).limit(top).toList();
        return new Profile(n, rank(self, n, top), rank(inclusive, n, top), rank(libs, n, top), rank(threads, n, top), waitRows);
    }

    /** A wait of the bench's own threads (e.g. reading a child's output) when the coordinator runs in the bench's JVM. */
    private static boolean benchThread(List<RecordedFrame> frames) {
        return frames.stream().anyMatch(f -> f.getMethod().getType().getName().startsWith("org.enjambre.bench."));
    }

    private static String innermostEnjambre(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            if (f.getMethod().getType().getName().startsWith("org.enjambre.")) {
                return name(f.getMethod());
            }
        }
        return frames.isEmpty() ? "?" : name(frames.get(0).getMethod());
    }

    static boolean isJdk(String type) {
        return type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.") || type.startsWith("com.sun.");
    }

    static String library(String type) {
        for (Map.Entry<String, String> e : LIBRARIES.entrySet()) {
            if (type.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        int dot = type.lastIndexOf('.');
        return "other (" + (dot > 0 ? type.substring(0, dot) : type) + ")";
    }

    /** A thread's name with its numbers and Hazelcast instance name taken out, so that pools show as one line. */
    static String threadGroup(String name) {
        return name == null ? "?" : name.replaceAll("^hz\\.[^.]+\\.", "hz.").replaceAll("\\d+", "N");
    }

    private static String name(RecordedMethod m) {
        return methodName(m.getType().getName(), m.getName());
    }

    /** {@code Type.method} with the package left out; a lambda shows as {@code Outer.lambda}. */
    static String methodName(String type, String method) {
        int lambda = type.indexOf("$$Lambda");
        if (lambda > 0) {
            type = type.substring(0, lambda);
            method = "lambda";
        }
        return type.substring(type.lastIndexOf('.') + 1) + "." + method;
    }

    static List<Row> rank(Map<String, Long> counts, long total, int top) {
        List<Row> rows = new ArrayList<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(top)
                .forEach(e -> rows.add(new Row(e.getKey(), e.getValue(), total == 0 ? 0 : 100.0 * e.getValue() / total)));
        return List.copyOf(rows);
    }
}
