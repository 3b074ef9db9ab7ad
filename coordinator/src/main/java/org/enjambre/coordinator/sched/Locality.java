package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.jobs.JobSpecs;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.model.WorkerRef;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Locality scheduling (BOINC's name): which ready units of a job owned here read a file the fetching worker
 * already caches whole, so that the issuer hands those out first. Per job it keeps, once, the units that read
 * each file ({@link App#unitFiles}); the ready ones come from the {@link LocalIndex} at fetch time, so the unit
 * listener pays nothing. A job without files costs one map look-up per fetch that names cached files, and a
 * fetch naming none costs nothing.
 *
 * <p>Invariants: a file every unit of a job reads (a shared file), or more than {@link #MAX_UNITS_PER_FILE} units
 * read, gives no preference (it tells the units apart no better than the job's order, and would cost a long scan);
 * a preferred unit is one the worker may take (placement, {@link LocalIndex.Ready#admits}) — the caller's filter
 * has the last word. Thread-safe: the per-job maps are immutable once built; the job cache is synchronized.
 */
final class Locality {
    /** A file read by more units than this is not used to prefer units. */
    static final int MAX_UNITS_PER_FILE = 256;
    /** Jobs whose file maps are kept, least recently used dropped. */
    static final int MAX_JOBS = 256;
    private static final Map<String, int[]> NO_FILES = Map.of();

    private final JobDirectory jobs;
    private final LocalIndex index;
    /** Job id → file id → the unit indexes reading it, ascending. */
    private final Map<String, Map<String, int[]>> byJob = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Map<String, int[]>> eldest) {
                    return size() > MAX_JOBS;
                }
            });

    Locality(JobDirectory jobs, LocalIndex index) {
        this.jobs = jobs;
        this.index = index;
    }

    /**
     * Up to {@code want} ready units of {@code job} owned here that read a file in {@code cached} (in its order: the
     * worker's newest files first, each file's units lowest index first), that {@code worker} may take and that
     * {@code admits} (called once per unit returned, as the issuer's filter) lets through; each unit once.
     */
    List<LocalIndex.Ready> preferred(JobRecord job, List<String> cached, WorkerRef worker, int want,
                                     BiPredicate<JobRecord, String> admits) {
        if (cached.isEmpty() || want <= 0) {
            return List.of();
        }
        Map<String, int[]> files = filesOf(job);
        if (files.isEmpty()) {
            return List.of();
        }
        List<LocalIndex.Ready> out = new ArrayList<>();
        Set<Integer> taken = new java.util.HashSet<>();
        for (String file : cached) {
            int[] units = files.get(file);
            if (units == null) {
                continue;
            }
            for (int i : units) {
                if (out.size() >= want) {
                    return out;
                }
                LocalIndex.Ready r = index.readyAt(job.id(), i);
                if (r != null && r.admits(worker) && !taken.contains(i) && admits.test(job, r.key())) {
                    taken.add(i);
                    out.add(r);
                }
            }
        }
        return out;
    }

    /** The job's file map, built on first use. */
    private Map<String, int[]> filesOf(JobRecord job) {
        Map<String, int[]> known = byJob.get(job.id());
        if (known != null) {
            return known;
        }
        Map<String, int[]> built = build(jobs.app(job.app()), JobSpecs.of(job), job.workUnits());
        byJob.put(job.id(), built);
        return built;
    }

    /** File id → units reading it, for the files that tell units apart; {@link #NO_FILES} for a job without files. */
    static Map<String, int[]> build(App app, JobSpecs.Parsed spec, int workUnits) {
        if (app.inputFiles(spec.input()).isEmpty()) {
            return NO_FILES;
        }
        Map<String, List<Integer>> readers = new HashMap<>();
        for (int i = 0; i < workUnits; i++) {
            for (String f : app.unitFiles(spec.input(), workUnits, i)) {
                List<Integer> units = readers.computeIfAbsent(f, k -> new ArrayList<>(1));
                if (units.size() <= MAX_UNITS_PER_FILE && (units.isEmpty() || units.get(units.size() - 1) != i)) {
                    units.add(i);
                }
            }
        }
        Map<String, int[]> out = new HashMap<>();
        readers.forEach((f, units) -> {
            boolean shared = workUnits > 1 && units.size() == workUnits;
            if (!shared && units.size() <= MAX_UNITS_PER_FILE) {
                out.put(f, units.stream().mapToInt(Integer::intValue).toArray());
            }
        });
        return out.isEmpty() ? NO_FILES : Map.copyOf(out);
    }
}
