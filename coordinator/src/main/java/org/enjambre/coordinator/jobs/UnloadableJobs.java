package org.enjambre.coordinator.jobs;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.store.Store;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.spec.JobSpecParser;
import org.enjambre.workunits.wasm.WasmApp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Run once at start, before the cluster loads its maps: marks FAILED, durably and with the reason, every
 * unfinished job in the store that this peer cannot load (a spec it cannot read, an unknown app, a unit
 * count out of bounds, or more units than its heap holds), so that a bad row never stops a peer from
 * starting — the alternative is a crash loop on every start. Older jobs are kept first when the heap
 * cannot hold them all.
 */
public final class UnloadableJobs {
    private static final Logger LOG = LoggerFactory.getLogger(UnloadableJobs.class);

    private UnloadableJobs() {
    }

    /**
     * Fails the unloadable jobs in {@code store}, given this peer's {@code maxHeap} bytes (the built-in apps
     * and wasm are the apps a coordinator knows).
     *
     * @return the jobs it failed, as stored
     */
    public static List<JobRecord> fail(Store store, long maxHeap, Clock clock) {
        // Only the apps' names matter here; the wasm app's modules are not read.
        AppRegistry apps = AppRegistry.builtIns().with(new WasmApp(sha -> Optional.empty()));
        List<JobRecord> unfinished = new ArrayList<>();
        for (JobRecord j : store.jobs()) {
            if (!j.state().terminal()) {
                unfinished.add(j);
            }
        }
        unfinished.sort(Comparator.comparingLong(JobRecord::submittedAt).thenComparing(JobRecord::id));
        long budget = (long) (HeapCapacity.START_SHARE * maxHeap);
        long used = 0;
        List<JobRecord> failed = new ArrayList<>();
        for (JobRecord j : unfinished) {
            Optional<String> why = unreadable(j, apps);
            long need = HeapCapacity.bytesPerPeer(j.workUnits(), 1, 0);
            if (why.isEmpty() && used + need > budget) {
                why = Optional.of(String.format("its %d units need about %d MiB of heap, and this peer has %d MiB for the "
                        + "unfinished jobs it loads at start (%.0f%% of -Xmx)", j.workUnits(), need >> 20,
                        (budget - used) >> 20, HeapCapacity.START_SHARE * 100));
            }
            if (why.isPresent()) {
                String reason = "the job could not be loaded when the coordinator started: " + why.get();
                LOG.error("job {} is marked FAILED: {}", j.id(), reason);
                failed.add(j.withState(JobState.FAILED, clock.millis(), reason));
            } else {
                used += need;
            }
        }
        if (!failed.isEmpty()) {
            store.writeNow(new Store.Batch(List.of(), List.of(), failed));
        }
        return failed;
    }

    /** Why the job's row cannot be served, if it cannot. */
    private static Optional<String> unreadable(JobRecord j, AppRegistry apps) {
        if (apps.find(j.app()).isEmpty()) {
            return Optional.of("its app '" + j.app() + "' is unknown to this coordinator");
        }
        if (j.workUnits() < 1 || j.workUnits() > JobSpecParser.MAX_WORK_UNITS) {
            return Optional.of("its " + j.workUnits() + " work units are outside 1.." + JobSpecParser.MAX_WORK_UNITS);
        }
        try {
            JobSpecs.Parsed spec = JobSpecs.parse(j.spec());
            if (spec.workUnits() != j.workUnits() || spec.input() == null) {
                return Optional.of("its stored spec does not match the job (units " + spec.workUnits() + " vs " + j.workUnits() + ")");
            }
        } catch (RuntimeException e) {
            return Optional.of("its stored spec cannot be read (" + e + ")");
        }
        return Optional.empty();
    }
}
