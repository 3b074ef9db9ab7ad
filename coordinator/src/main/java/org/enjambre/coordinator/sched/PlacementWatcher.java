package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.transition.Event;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Finds the ready units this peer owns that no connected worker may take because of placement (each one that
 * runs the job's app already holds or held a replica of the unit, or shares an account or host with a worker
 * that does), counts them in the {@link LocalIndex} for the job views, and fails a unit that stayed so for
 * {@code waitMillis} with that reason: never a silent wait. A unit with a result waiting for credibility is counted
 * but not failed: spot-checks of its workers may still make it credible without another replica. Runs when the wiring calls {@link #check}; starts no
 * thread and reads time only from its clock.
 *
 * <p>Only units some worker holds or held a replica of are looked at ({@link LocalIndex#reissues}): a fresh unit is
 * open to every worker, so a check costs O(reissued ready units × connected workers). A unit no connected worker
 * runs the app for is not a placement stall (a worker may still come) and is not counted.
 */
public final class PlacementWatcher {
    private final LocalIndex index;
    private final OwnedUnits owned;
    private final JobDirectory jobs;
    private final Function<WorkerRecord, WorkerRef> ref;
    private final Clock clock;
    private final long waitMillis;

    PlacementWatcher(LocalIndex index, OwnedUnits owned, JobDirectory jobs, Function<WorkerRecord, WorkerRef> ref,
                     Clock clock, long waitMillis) {
        if (waitMillis < 0) {
            throw new IllegalArgumentException("the placement wait must not be negative, not " + waitMillis);
        }
        this.index = index;
        this.owned = owned;
        this.jobs = jobs;
        this.ref = ref;
        this.clock = clock;
        this.waitMillis = waitMillis;
    }

    /**
     * Looks at every ready reissue owned here against the connected workers (read only when there is one); fails
     * those that had no eligible worker for the wait. Returns how many it failed. Blocks (it may write units).
     */
    public int check(Supplier<Collection<WorkerRecord>> connectedWorkers) {
        List<LocalIndex.Ready> reissues = index.reissues();
        if (reissues.isEmpty()) {
            return 0;
        }
        Collection<WorkerRecord> connected = connectedWorkers.get();
        long now = clock.millis();
        List<String> due = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (LocalIndex.Ready r : reissues) {
            Optional<JobRecord> job = jobs.find(OwnedUnits.jobOf(r.key()));
            String why = job.isEmpty() || job.get().state().terminal() ? null : why(r, job.get().app(), connected);
            if (why == null) {
                index.clearNoEligibleWorker(r.key());
                continue;
            }
            long since = index.noEligibleWorker(r.key(), now);
            // A result waiting for credibility may still be accepted without another replica (its worker's next
            // passed spot-check): counted, never failed for placement.
            if (now - since >= waitMillis && !index.awaitsCredibility(r.key())) {
                due.add(r.key());
                reasons.add("no eligible worker for " + (now - since) / 1000 + " s: " + why);
            }
        }
        int failed = 0;
        for (int i = 0; i < due.size(); i++) {
            failed += owned.apply(List.of(due.get(i)), new Event.Cancel(reasons.get(i), now)).size();
        }
        return failed;
    }

    /** Why no connected worker may take the unit, or null when one may (or none runs its app at all). */
    private String why(LocalIndex.Ready r, String app, Collection<WorkerRecord> connected) {
        boolean anyRuns = false;
        boolean anyNew = false;
        for (WorkerRecord w : connected) {
            if (w.blacklisted() || !w.apps().contains(app)) {
                continue;
            }
            anyRuns = true;
            WorkerRef candidate = ref.apply(w);
            if (r.admits(candidate)) {
                return null;
            }
            anyNew |= r.holders().stream().noneMatch(h -> h.workerId().equals(w.id()));
        }
        if (!anyRuns) {
            return null;
        }
        return anyNew
                ? "every connected worker that runs " + app + " shares an account or host with one that holds or held a"
                + " replica of it (placement)"
                : "every connected worker that runs " + app + " already holds or held a replica of it (placement)";
    }
}
