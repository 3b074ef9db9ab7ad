package org.enjambre.cli.e2e;

import org.enjambre.worker.Worker;
import org.enjambre.worker.WorkerOptions;
import org.enjambre.worker.store.TaskJournal;
import org.enjambre.workunits.app.AppRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Test support: real {@link Worker}s in this JVM with quick test timings (short long-polls, short
 * backoff, frequent checkpoints), stopped like {@code kill -9} when the test ends.
 */
public final class TestWorkers implements AutoCloseable {
    private final List<Worker> started = new ArrayList<>();

    /** Options for one worker with one core and quick timings, talking to {@code urls}. */
    public static WorkerOptions.Builder options(Path dataDir, String name, String... urls) {
        return WorkerOptions.builder(urls).cores(1).dataDir(dataDir).name(name)
                .fetchWait(Duration.ofMillis(500))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .checkpointInterval(Duration.ofMillis(50));
    }

    /** Starts a worker with the default apps. */
    public Worker start(WorkerOptions options) {
        return start(new Worker(options));
    }

    /** Starts a worker with these apps on this clock. */
    public Worker start(WorkerOptions options, AppRegistry apps, Clock clock) {
        return start(new Worker(options, apps, clock));
    }

    private Worker start(Worker worker) {
        started.add(worker);
        try {
            worker.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return worker;
    }

    /** The files in a directory of a worker's data directory ({@code checkpoints}, {@code blobs}). */
    public static List<Path> files(Path dataDir, String sub) {
        Path dir = dataDir.resolve(sub);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tasks held in a worker's task journal (fetched, not finished), by id; readable while it runs. */
    public static List<String> heldTasks(Path dataDir) {
        try {
            return TaskJournal.read(dataDir).tasks();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The durable results in a worker's task journal that no coordinator acknowledged yet, by task id. */
    public static List<String> unreported(Path dataDir) {
        try {
            return TaskJournal.read(dataDir).results();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops every worker this started as {@code kill -9} would. */
    @Override
    public void close() {
        started.forEach(Worker::abort);
        started.clear();
    }
}
