package org.enjambre.coordinator.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.enjambre.coordinator.model.FileRecord;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.store.Json;
import org.enjambre.coordinator.store.Store;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.app.OutputFile;
import org.enjambre.coordinator.jobs.ResultParts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;

/**
 * Garbage collection of uploaded files (README, *Data files*; docs/api.md). A job <em>references</em> a file when
 * its app's {@code inputFiles} names it in the job's input (wordcount: {@code input.files}, {@code input.stopwords}).
 * Since outputs may be files, a job also references its units' output files ({@link #referencedBy(AppRegistry, Store)}).
 * A file is garbage when it was declared more than {@code grace} ago and no job references it that is not terminal
 * or that ended less than {@code grace} ago. One pass, run by every peer: drops garbage files from the index (any
 * peer may; dropping twice is harmless), then deletes this peer's chunks that no indexed file lists and that it
 * stored more than {@code grace} ago (so a chunk uploaded before its manifest, or shared with a live file, stays).
 * <p>Invariants: a file a non-terminal job names is never dropped; a chunk a remaining file lists is never deleted.
 * If what a job references cannot be told (its spec does not parse), nothing is dropped in that pass.
 * Blocking: its own thread.
 */
public final class FileCollector {
    private static final Logger LOG = LoggerFactory.getLogger(FileCollector.class);

    /** What one pass did: the files dropped from the index and the chunks this peer deleted. */
    public record Pass(List<String> files, int chunks) {
    }

    private final Store store;
    private final ChunkStore local;
    private final Function<JobRecord, Collection<String>> referenced;
    private final Duration grace;
    private final Clock clock;

    /**
     * @param referenced the ids of the files a job references (from its app's {@code inputFiles}); it may throw when
     *                   it cannot tell, which stops the pass
     */
    public FileCollector(Store store, ChunkStore local, Function<JobRecord, Collection<String>> referenced, Duration grace,
                         Clock clock) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("the data garbage grace period must not be negative");
        }
        this.store = store;
        this.local = local;
        this.referenced = referenced;
        this.grace = grace;
        this.clock = clock;
    }

    /**
     * What a job references: the values of its app's {@code inputFiles} over the input of its stored spec. Throws
     * when the app is unknown or the spec does not parse.
     */
    public static Function<JobRecord, Collection<String>> referencedBy(AppRegistry apps) {
        return job -> {
            try {
                return apps.get(job.app()).inputFiles(Json.MAPPER.readTree(job.spec()).get("input")).values();
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("the spec of job " + job.id() + " does not parse: " + e.getMessage(), e);
            }
        };
    }

    /**
     * What a job references: its input files ({@link #referencedBy(AppRegistry)}) and its units' outputs kept as files
     * (README, "Outputs as files"): while it runs, those its stored units carry (one read of its units per pass); once
     * completed, those its stored result serves.
     */
    public static Function<JobRecord, Collection<String>> referencedBy(AppRegistry apps, Store store) {
        Function<JobRecord, Collection<String>> inputs = referencedBy(apps);
        return job -> {
            Set<String> all = new HashSet<>(inputs.apply(job));
            if (!job.state().terminal()) {
                for (org.enjambre.workunits.model.WorkUnit u : store.units(job.id()).values()) {
                    for (org.enjambre.workunits.model.Task t : u.tasks()) {
                        if (OutputFile.is(t.output())) {
                            all.add(OutputFile.decode(t.output()).id());
                        }
                    }
                }
            } else {
                store.result(job.id()).filter(r -> ResultParts.is(r.body()))
                        .ifPresent(r -> all.addAll(ResultParts.decode(r.body()).files()));
            }
            return all;
        };
    }

    /** One pass. */
    public Pass run() throws IOException {
        long now = clock.millis();
        long cutoff = now - grace.toMillis();
        Set<String> kept = new HashSet<>();
        for (JobRecord j : store.jobs()) {
            if (!j.state().terminal() || j.finishedAt() > cutoff) {
                try {
                    kept.addAll(referenced.apply(j));
                } catch (RuntimeException e) {
                    LOG.warn("cannot tell which files job {} references; no file is collected in this pass: {}", j.id(), e.toString());
                    return new Pass(List.of(), 0);
                }
            }
        }
        List<String> dropped = new ArrayList<>();
        Set<String> live = new HashSet<>();
        for (FileRecord f : store.files()) {
            if (!kept.contains(f.id()) && f.createdAt() <= cutoff) {
                if (store.deleteFile(f.id())) {
                    dropped.add(f.id());
                }
            } else {
                live.addAll(f.chunks());
            }
        }
        int chunks = 0;
        for (String c : local.list()) {
            OptionalLong at = local.storedAt(c);
            if (!live.contains(c) && at.isPresent() && at.getAsLong() <= cutoff && local.delete(c)) {
                chunks++;
            }
        }
        if (!dropped.isEmpty() || chunks > 0) {
            LOG.info("data garbage: dropped {} file(s) no job references, deleted {} chunk(s) no file lists", dropped.size(), chunks);
        }
        return new Pass(List.copyOf(dropped), chunks);
    }
}
